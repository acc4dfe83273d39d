package io.cloudplane.infra.temporal;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
import io.temporal.common.SearchAttributeKey;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Which of Cloudplane's search attributes ({@link WorkflowTags#SEARCH_ATTRIBUTES}) the namespace has,
 * asked once of the cluster (OperatorService ListSearchAttributes): a workflow started with an
 * attribute the namespace does not have is refused, so only those it has are set. The first answer
 * is logged, with the commands that register the missing ones. While the cluster cannot be asked
 * (unreachable, or the caller may not list them), none is set and the question is asked again at the
 * next start.
 */
@Singleton
public class NamespaceSearchAttributes {
    private static final Logger LOG = LoggerFactory.getLogger(NamespaceSearchAttributes.class);
    private final WorkflowServiceStubs workflowStubs;
    private final String namespace;
    private volatile OperatorServiceStubs operator;
    private volatile Set<String> present;
    private volatile boolean failureLogged;

    public NamespaceSearchAttributes(WorkflowServiceStubs workflowStubs, TemporalSettings settings) {
        this.workflowStubs = workflowStubs;
        this.namespace = settings.namespace();
    }

    /** The names of Cloudplane's search attributes that the namespace has; empty while it cannot be asked. */
    public Set<String> present() {
        Set<String> known = present;
        if (known != null) {
            return known;
        }
        synchronized (this) {
            if (present == null) {
                try {
                    Set<String> registered = operator().blockingStub().withDeadlineAfter(10, TimeUnit.SECONDS)
                            .listSearchAttributes(ListSearchAttributesRequest.newBuilder().setNamespace(namespace).build())
                            .getCustomAttributesMap().keySet();
                    present = WorkflowTags.SEARCH_ATTRIBUTES.stream().map(SearchAttributeKey::getName)
                            .filter(registered::contains).collect(Collectors.toUnmodifiableSet());
                    report(present);
                } catch (StatusRuntimeException e) {
                    if (!failureLogged) {
                        failureLogged = true;
                        LOG.warn("Could not list the search attributes of Temporal namespace {} ({}); workflows are started with "
                                + "their memo only until it answers", namespace, describe(e.getStatus()));
                    }
                    return Set.of();
                }
            }
            return present;
        }
    }

    /** The ones the namespace lacks, for the start-up message and its test. */
    public List<SearchAttributeKey<String>> missing() {
        Set<String> have = present();
        return WorkflowTags.SEARCH_ATTRIBUTES.stream().filter(key -> !have.contains(key.getName())).toList();
    }

    /** The start-up message: what is missing and the commands that register it; null when nothing is. */
    static String missingMessage(String namespace, List<SearchAttributeKey<String>> missing) {
        if (missing.isEmpty()) {
            return null;
        }
        return "Temporal namespace " + namespace + " lacks the search attribute(s) "
                + missing.stream().map(SearchAttributeKey::getName).collect(Collectors.joining(", "))
                + ": workflows are started without them (their memo still names the app, environment, operation and user). "
                + "Register them with:\n  " + missing.stream().map(key -> WorkflowTags.registerCommand(key, namespace))
                .collect(Collectors.joining("\n  "));
    }

    private void report(Set<String> have) {
        List<SearchAttributeKey<String>> missing = WorkflowTags.SEARCH_ATTRIBUTES.stream()
                .filter(key -> !have.contains(key.getName())).toList();
        String message = missingMessage(namespace, missing);
        if (message == null) {
            LOG.info("Temporal namespace {} has the search attributes {}", namespace,
                    WorkflowTags.SEARCH_ATTRIBUTES.stream().map(SearchAttributeKey::getName).toList());
        } else {
            LOG.warn(message);
        }
    }

    private static String describe(Status status) {
        return status.getCode() + (status.getDescription() == null ? "" : ": " + status.getDescription());
    }

    private OperatorServiceStubs operator() {
        if (operator == null) {
            operator = OperatorServiceStubs.newServiceStubs(OperatorServiceStubsOptions.newBuilder(workflowStubs.getOptions())
                    .validateAndBuildWithDefaults());
        }
        return operator;
    }

    @PreDestroy
    void close() {
        OperatorServiceStubs stubs = operator;
        if (stubs != null) {
            stubs.shutdownNow();
        }
    }
}
