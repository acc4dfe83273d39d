package io.cloudplane.api.sandbox;

import io.cloudplane.api.operation.OperationLauncher;
import io.cloudplane.infra.operation.OperationRecord;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;

/**
 * A sandbox just written (its app, environment and provisioning operation committed) set going:
 * its provisioning workflow, then its lifecycle. At sign-up, and when an account that had none
 * becomes a developer through an invitation (every developer has a sandbox).
 */
@Singleton
public class NewSandboxes {
    private static final Logger LOG = LoggerFactory.getLogger(NewSandboxes.class);
    private final OperationLauncher launcher;
    private final SandboxLifecycles lifecycles;

    public NewSandboxes(OperationLauncher launcher, SandboxLifecycles lifecycles) {
        this.launcher = launcher;
        this.lifecycles = lifecycles;
    }

    public void launch(OperationRecord provisioning, UUID ownerId) {
        launcher.launch(provisioning);
        try {
            lifecycles.start(provisioning.appId(), provisioning.envId(), ownerId, System.currentTimeMillis(), null);
        } catch (RuntimeException e) {
            // The recovery job starts missing lifecycles; the sandbox exists either way.
            LOG.warn("Lifecycle of sandbox {} not started yet: {}", provisioning.appId(), e.getMessage());
        }
    }
}
