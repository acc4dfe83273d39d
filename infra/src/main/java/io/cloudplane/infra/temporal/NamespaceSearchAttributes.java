package io.cloudplane.infra.temporal;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.IndexedValueType;
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
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Which of Cloudplane's search attributes ({@link WorkflowTags#SEARCH_ATTRIBUTES}) the namespace has,
 * asked once of the cluster (OperatorService ListSearchAttributes): a workflow started with an
 * attribute the namespace does not have is refused, so only those it has are set. The first answer
 * is logged, with the commands that register the missing ones; a name registered with another type than
 * Keyword counts as missing. While the cluster cannot be asked (unreachable), none is set and the question
 * is asked again at a start a minute later at the earliest; if the caller may not list them (or the server
 * cannot), none is set for good.
 */
@Singleton
public class NamespaceSearchAttributes {
    private static final Logger LOG = LoggerFactory.getLogger(NamespaceSearchAttributes.class);
    private final WorkflowServiceStubs workflowStubs;
    private final String namespace;
    private volatile OperatorServiceStubs operator;
    private volatile Set<String> present;
    private volatile boolean failureLogged;
    /** When the last question went unanswered (System.nanoTime), 0 if none; asked again a minute later at the earliest. */
    private volatile long failedAt;
    private static final long RETRY_AFTER_FAILURE_NANOS = TimeUnit.MINUTES.toNanos(1);

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
                    if (System.nanoTime() - failedAt < RETRY_AFTER_FAILURE_NANOS && failedAt != 0) {
                        return Set.of(); // asked a moment ago without an answer: starts do not each wait for the cluster
                    }
                    Map<String, IndexedValueType> registered = operator().blockingStub().withDeadlineAfter(10, TimeUnit.SECONDS)
                            .listSearchAttributes(ListSearchAttributesRequest.newBuilder().setNamespace(namespace).build())
                            .getCustomAttributesMap();
                    // a name registered with another type than Keyword would make the cluster refuse every start that sets it
                    List<String> wrongType = WorkflowTags.SEARCH_ATTRIBUTES.stream().map(SearchAttributeKey::getName)
                            .filter(name -> registered.containsKey(name) && registered.get(name) != IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD)
                            .toList();
                    if (!wrongType.isEmpty()) {
                        LOG.warn("Temporal namespace {} has {} with another type than Keyword: Cloudplane does not set them (remove and "
                                + "register them again as Keyword)", namespace, wrongType);
                    }
                    present = WorkflowTags.SEARCH_ATTRIBUTES.stream().map(SearchAttributeKey::getName)
                            .filter(name -> registered.get(name) == IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD)
                            .collect(Collectors.toUnmodifiableSet());
                    report(present);
                } catch (StatusRuntimeException e) {
                    failedAt = System.nanoTime();
                    if (e.getStatus().getCode() == Status.Code.PERMISSION_DENIED || e.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
                        present = Set.of(); // it will not answer later either: none, for good
                    }
                    if (!failureLogged) {
                        failureLogged = true;
                        LOG.warn("Could not list the search attributes of Temporal namespace {} ({}); workflows are started with "
                                + "their memo only{}", namespace, describe(e.getStatus()), present == null ? " until it answers" : "");
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
