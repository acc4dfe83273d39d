package io.cloudplane.api.release;

import io.cloudplane.api.security.Access;
import io.cloudplane.api.app.AppService;
import io.cloudplane.api.problem.ApiException;
import io.cloudplane.infra.app.CloneRecord;
import io.cloudplane.infra.app.CloneRepository;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.operation.OperationRecord;
import io.cloudplane.infra.release.ReleaseRecord;
import io.cloudplane.infra.release.ReleaseRepository;
import io.micronaut.data.exceptions.DataAccessException;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/** Writes releases and clones with their operations, each in one transaction. */
@Singleton
public class ReleaseService {
    private final AppService apps;
    private final ReleaseRepository releases;
    private final CloneRepository clones;

    public ReleaseService(AppService apps, ReleaseRepository releases, CloneRepository clones) {
        this.apps = apps;
        this.releases = releases;
        this.clones = clones;
    }

    @Transactional
    public ReleaseRecord createRelease(Access access, UUID caller, EnvironmentRecord source, String name, String description) {
        UUID appId = access.app().id();
        releases.findByAppAndName(appId, name).ifPresent(r -> {
            throw ApiException.conflict("This app already has a release named '" + r.name() + "'");
        });
        UUID id = UUID.randomUUID();
        apps.releaseOperation(access, caller, source, id);
        try {
            return releases.save(new ReleaseRecord(id, appId, name, description, source.id(), source.name(),
                    ReleaseRecord.Status.CREATING, ReleaseRecord.keyFor(appId, id), null, null, null, caller, now(), null));
        } catch (DataAccessException e) {
            throw ApiException.conflict("This app already has a release named '" + name + "'");
        }
    }

    @Transactional
    public OperationRecord createClone(UUID caller, String name, UUID sourceAppId, UUID sourceEnvId, UUID sourceReleaseId,
                                       String objectKey, String sha256, long size) {
        OperationRecord op = apps.createClone(caller, name);
        clones.save(new CloneRecord(op.id(), sourceAppId, sourceEnvId, sourceReleaseId, objectKey, sha256, size, now()));
        return op;
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}
