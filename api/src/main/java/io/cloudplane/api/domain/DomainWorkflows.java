package io.cloudplane.api.domain;

import io.cloudplane.infra.domain.DomainRecord;
import io.cloudplane.infra.domain.DomainSettings;
import io.cloudplane.infra.temporal.WorkflowStarts;
import io.cloudplane.infra.temporal.WorkflowTags;
import io.cloudplane.workflows.common.WorkflowIds;
import io.cloudplane.workflows.domain.DomainInput;
import io.cloudplane.workflows.domain.DomainWorkflow;
import io.temporal.client.BatchRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;
import java.util.function.Consumer;

/** Starts and signals the {@code domain/<id>} workflows, with the settings' durations in their input. */
@Singleton
public class DomainWorkflows {
    private static final Logger LOG = LoggerFactory.getLogger(DomainWorkflows.class);
    private final WorkflowClient client;
    private final DomainSettings settings;
    private final WorkflowStarts starts;

    public DomainWorkflows(WorkflowClient client, DomainSettings settings, WorkflowStarts starts) {
        this.client = client;
        this.starts = starts;
        this.settings = settings;
    }

    DomainInput input(DomainRecord domain, String gatewayHost) {
        return new DomainInput(domain.id().toString(), domain.envId().toString(), domain.hostname(), gatewayHost, settings.acmeConfigured(),
                settings.verificationTimeout().toMillis(), settings.checkIntervalMin().toMillis(), settings.checkIntervalMax().toMillis(),
                settings.renewBefore().toMillis(), settings.expiryNoticeBefore().toMillis());
    }

    /** Starts the domain's workflow unless it runs. */
    public void start(DomainRecord domain, String gatewayHost) {
        try {
            WorkflowClient.start(newStub(domain)::run, input(domain, gatewayHost));
        } catch (WorkflowExecutionAlreadyStarted running) {
            LOG.debug("The workflow of domain {} runs already", domain.id());
        }
    }

    /** Signals the domain's workflow, starting it first if it is not running (then it reads the row and acts on it anyway). */
    public void signal(DomainRecord domain, String gatewayHost, Consumer<DomainWorkflow> signal) {
        DomainWorkflow workflow = newStub(domain);
        BatchRequest request = client.newSignalWithStartRequest();
        request.add(workflow::run, input(domain, gatewayHost));
        signal.accept(new SignalCapture(request, workflow));
        client.signalWithStart(request);
    }

    /** The row is gone already: a workflow that cannot be told notices within a day, and withdraws the route then. */
    public void removed(UUID domainId) {
        try {
            client.newWorkflowStub(DomainWorkflow.class, WorkflowIds.domain(domainId.toString())).removed();
        } catch (RuntimeException e) {
            LOG.warn("Could not tell domain {}'s workflow it was removed: {}", domainId, e.getMessage());
        }
    }

    /**
     * Asks the domain's workflow to cancel its DNS check (change {@code cancellable-domain-check}): the domain then ends
     * FAILED saying so, and its workflow waits for a verify or a removal. False when it has no running workflow.
     */
    public boolean cancelCheck(UUID domainId) {
        try {
            client.newUntypedWorkflowStub(WorkflowIds.domain(domainId.toString())).cancel();
            return true;
        } catch (io.temporal.client.WorkflowNotFoundException notRunning) {
            return false;
        }
    }

    private DomainWorkflow newStub(DomainRecord domain) {
        return client.newWorkflowStub(DomainWorkflow.class, starts.options(WorkflowIds.domain(domain.id().toString()),
                WorkflowTags.of(domain.appId(), domain.envId(), domain.createdBy())));
    }

    /** Adds the signal a caller names ({@code DomainWorkflow::verifyNow}) to a signal-with-start request. */
    private record SignalCapture(BatchRequest request, DomainWorkflow workflow) implements DomainWorkflow {
        @Override
        public void run(DomainInput input) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void verifyNow() {
            request.add(workflow::verifyNow);
        }

        @Override
        public void certificateUploaded() {
            request.add(workflow::certificateUploaded);
        }

        @Override
        public void removed() {
            request.add(workflow::removed);
        }
    }
}
