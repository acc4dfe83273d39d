package io.cloudplane.worker;

import io.cloudplane.infra.code.EnvironmentCodeRecord;
import io.cloudplane.infra.code.EnvironmentCodeRepository;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.runtime.EnvironmentRuntime;
import io.cloudplane.infra.runtime.ServerSpec;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

/** The periodic renewal of running environments' code URLs: each one with code, by its recorded object, one failure isolated. */
class CodeUrlRenewalTest {
    private final EnvironmentRepository environments = mock(EnvironmentRepository.class);
    private final EnvironmentCodeRepository code = mock(EnvironmentCodeRepository.class);
    private final EnvironmentRuntime runtime = mock(EnvironmentRuntime.class);

    private static EnvironmentRecord running(UUID id) {
        return new EnvironmentRecord(id, UUID.randomUUID(), "development", EnvironmentRecord.EnvironmentType.DEVELOPMENT, null,
                EnvironmentStatus.RUNNING, null, "1.1.0", null, null, "env_x", "sealed", Instant.now(), Instant.now());
    }

    private EnvironmentCodeRecord recorded(UUID envId, char digit) {
        String sha = String.valueOf(digit).repeat(64);
        EnvironmentCodeRecord r = new EnvironmentCodeRecord(envId, "code/a/" + envId + "/" + sha + ".tar.gz", sha, 1, null, "t", null, Instant.now());
        when(code.findById(envId)).thenReturn(Optional.of(r));
        return r;
    }

    @Test
    void everyRunningEnvironmentWithCodeIsSignedAgainAndOneFailureStopsNoOther() {
        UUID withCode = UUID.randomUUID();
        UUID withoutCode = UUID.randomUUID();
        UUID failing = UUID.randomUUID();
        UUID notApplied = UUID.randomUUID();
        when(environments.findByStatus(EnvironmentStatus.RUNNING))
                .thenReturn(List.of(running(failing), running(withCode), running(withoutCode), running(notApplied)));
        EnvironmentCodeRecord a = recorded(withCode, 'a');
        recorded(failing, 'b');
        EnvironmentCodeRecord c = recorded(notApplied, 'c');
        when(code.findById(withoutCode)).thenReturn(Optional.empty());
        when(runtime.renewCodeUrl(eq(failing.toString()), any())).thenThrow(new IllegalStateException("the API server is away"));
        when(runtime.renewCodeUrl(withCode.toString(), new ServerSpec.Code(a.objectKey(), a.sha256()))).thenReturn(true);
        when(runtime.renewCodeUrl(notApplied.toString(), new ServerSpec.Code(c.objectKey(), c.sha256()))).thenReturn(false);

        assertEquals(1, new CodeUrlRenewal(environments, code, runtime).renew());
        verify(runtime).renewCodeUrl(withCode.toString(), new ServerSpec.Code(a.objectKey(), a.sha256()));
        verify(runtime, never()).renewCodeUrl(eq(withoutCode.toString()), any());
    }
}
