package io.cloudplane.worker;

import io.cloudplane.activities.server.EnvironmentServers;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.operation.OperationRecord;
import io.cloudplane.infra.operation.OperationRepository;
import io.cloudplane.infra.runtime.EnvironmentRuntime;
import io.cloudplane.workflows.environment.EnvironmentStatus;
import io.cloudplane.workflows.operation.OperationType;
import io.micronaut.context.BeanContext;
import io.micronaut.context.event.StartupEvent;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

/**
 * Found by the crash harness: at boot the supervisor started the server of an environment that an
 * operation left unfinished by the crash was deleting (or restarting), racing the operation's own run
 * again: a server and a folder outlived the deleted environment, or an environment had two servers.
 */
class ServerSupervisorTest {
    private final EnvironmentRepository environments = mock(EnvironmentRepository.class);
    private final EnvironmentServers servers = mock(EnvironmentServers.class);
    private final EnvironmentRuntime runtime = mock(EnvironmentRuntime.class);
    private final OperationRepository operations = mock(OperationRepository.class);
    private final BeanContext context = mock(BeanContext.class);
    private final ServerSupervisor supervisor = new ServerSupervisor(environments, servers, runtime, context, operations);

    @Test
    void atBootOnlyTheServersOfRunningEnvironmentsThatNoUnfinishedOperationHoldsStart() {
        EnvironmentRecord free = running();
        EnvironmentRecord held = running();
        EnvironmentRecord appHeld = running();
        when(environments.findByStatus(EnvironmentStatus.RUNNING)).thenReturn(List.of(free, held, appHeld));
        when(operations.findActiveForEnvironment(any())).thenReturn(Optional.empty());
        when(operations.findActiveForApp(any())).thenReturn(Optional.empty());
        when(operations.findActiveForEnvironment(held.id())).thenReturn(Optional.of(
                OperationRecord.pending(UUID.randomUUID(), OperationType.DELETE_ENVIRONMENT, held.appId(), held.id(), null, Instant.now())));
        when(operations.findActiveForApp(appHeld.appId())).thenReturn(Optional.of(
                OperationRecord.pending(UUID.randomUUID(), OperationType.DELETE_APPLICATION, appHeld.appId(), null, null, Instant.now())));
        when(context.containsBean(io.micronaut.runtime.server.EmbeddedServer.class)).thenReturn(false);

        supervisor.restartServersOnStartup(new StartupEvent(context));

        verify(servers).start(free);
        verify(servers, never()).start(held);
        verify(servers, never()).start(appHeld);
    }

    private static EnvironmentRecord running() {
        UUID id = UUID.randomUUID();
        return new EnvironmentRecord(id, UUID.randomUUID(), "dev", EnvironmentRecord.EnvironmentType.DEVELOPMENT, null,
                EnvironmentStatus.RUNNING, null, "1.0.0", 40000, "http://127.0.0.1:40000/", EnvironmentRecord.databaseNameFor(id),
                null, Instant.now(), Instant.now());
    }
}
