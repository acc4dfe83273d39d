package io.cloudplane.infra.temporal;

import io.cloudplane.infra.embedded.EmbeddedTemporalServer;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.client.WorkflowStub;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Against Temporal's test server (the embedded one): the search attributes are set only where the
 * namespace has them, a start with one it lacks would be refused, and the memo is always there.
 */
class NamespaceSearchAttributesTest {
    private static final UUID APP = UUID.randomUUID();
    private static final UUID ENV = UUID.randomUUID();
    private static final UUID OPERATION = UUID.randomUUID();
    private static final UUID USER = UUID.randomUUID();
    private static final WorkflowTags TAGS = new WorkflowTags(APP, ENV, OPERATION, "PROVISION_ENVIRONMENT", USER);

    @Test
    void aNamespaceWithoutTheAttributesIsToldWithTheCommandsAndWorkflowsStartWithTheirMemoOnly() {
        try (EmbeddedTemporalServer server = new EmbeddedTemporalServer(0)) {
            WorkflowServiceStubs stubs = stubs(server);
            try {
                NamespaceSearchAttributes attributes = new NamespaceSearchAttributes(stubs, new TemporalSettings("", "default", ""));
                assertEquals(Set.of(), attributes.present());
                assertEquals(WorkflowTags.SEARCH_ATTRIBUTES, attributes.missing());
                String message = NamespaceSearchAttributes.missingMessage("default", attributes.missing());
                assertTrue(message.contains("temporal operator search-attribute create --namespace default --name CloudplaneAppId --type Keyword"), message);
                assertTrue(message.contains("--name CloudplaneEnvId --type Keyword"), message);
                assertTrue(message.contains("--name CloudplaneOperation --type Keyword"), message);

                WorkflowClient client = WorkflowClient.newInstance(stubs);
                // Why only the namespace's are set: a start with an attribute it lacks is refused.
                assertThrows(RuntimeException.class, () -> client.newUntypedWorkflowStub("AnyWorkflow",
                        WorkflowStarts.options("refused/" + OPERATION, TAGS, Set.of("CloudplaneAppId", "CloudplaneEnvId", "CloudplaneOperation")))
                        .start());

                WorkflowStub started = client.newUntypedWorkflowStub("AnyWorkflow",
                        new WorkflowStarts(attributes).options("env-provision/" + ENV, TAGS));
                started.start();
                WorkflowExecutionDescription description = started.describe();
                assertMemo(description);
                assertNull(description.getTypedSearchAttributes().get(WorkflowTags.APP_ID));
            } finally {
                stubs.shutdownNow();
            }
        }
    }

    @Test
    void theEmbeddedServerHasTheAttributesAndAStartedWorkflowCarriesThem() {
        try (EmbeddedTemporalServer server = new EmbeddedTemporalServer(0)) {
            server.registerSearchAttributes();
            WorkflowServiceStubs stubs = stubs(server);
            try {
                NamespaceSearchAttributes attributes = new NamespaceSearchAttributes(stubs, new TemporalSettings("", "default", ""));
                assertEquals(Set.of("CloudplaneAppId", "CloudplaneEnvId", "CloudplaneOperation"), attributes.present());
                assertEquals(List.of(), attributes.missing());
                assertNull(NamespaceSearchAttributes.missingMessage("default", attributes.missing()));

                WorkflowStub started = WorkflowClient.newInstance(stubs).newUntypedWorkflowStub("AnyWorkflow",
                        new WorkflowStarts(attributes).options("env-provision/" + ENV, TAGS));
                started.start();
                WorkflowExecutionDescription description = started.describe();
                assertMemo(description);
                assertEquals(APP.toString(), description.getTypedSearchAttributes().get(WorkflowTags.APP_ID));
                assertEquals(ENV.toString(), description.getTypedSearchAttributes().get(WorkflowTags.ENV_ID));
                assertEquals("PROVISION_ENVIRONMENT", description.getTypedSearchAttributes().get(WorkflowTags.OPERATION));
            } finally {
                stubs.shutdownNow();
            }
        }
    }

    @Test
    void anAttributeRegisteredWithAnotherTypeThanKeywordIsNotSet() {
        try (EmbeddedTemporalServer server = new EmbeddedTemporalServer(0)) {
            WorkflowServiceStubs stubs = stubs(server);
            io.temporal.serviceclient.OperatorServiceStubs operator = io.temporal.serviceclient.OperatorServiceStubs.newServiceStubs(
                    io.temporal.serviceclient.OperatorServiceStubsOptions.newBuilder(stubs.getOptions()).validateAndBuildWithDefaults());
            try {
                operator.blockingStub().addSearchAttributes(io.temporal.api.operatorservice.v1.AddSearchAttributesRequest.newBuilder()
                        .setNamespace("default")
                        .putSearchAttributes("CloudplaneAppId", io.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_TEXT)
                        .putSearchAttributes("CloudplaneEnvId", io.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD)
                        .build());
                NamespaceSearchAttributes attributes = new NamespaceSearchAttributes(stubs, new TemporalSettings("", "default", ""));
                assertEquals(Set.of("CloudplaneEnvId"), attributes.present(), "a Text CloudplaneAppId would make every start fail");
                WorkflowStub started = WorkflowClient.newInstance(stubs).newUntypedWorkflowStub("AnyWorkflow",
                        new WorkflowStarts(attributes).options("env-provision/" + ENV, TAGS));
                started.start(); // not refused
                assertEquals(ENV.toString(), started.describe().getTypedSearchAttributes().get(WorkflowTags.ENV_ID));
            } finally {
                operator.shutdownNow();
                stubs.shutdownNow();
            }
        }
    }

    @Test
    void aWorkflowWithoutAnOperationOrEnvironmentCarriesOnlyWhatIsKnown() {
        WorkflowTags tags = WorkflowTags.of(APP, null, null);
        assertEquals(java.util.Map.of("appId", APP.toString()), tags.memo());
        var options = WorkflowStarts.options("backup-schedule/x", tags, Set.of("CloudplaneAppId", "CloudplaneEnvId", "CloudplaneOperation"));
        assertEquals(1, options.getTypedSearchAttributes().size());
        assertEquals(APP.toString(), options.getTypedSearchAttributes().get(WorkflowTags.APP_ID));
    }

    private static void assertMemo(WorkflowExecutionDescription description) {
        assertEquals(APP.toString(), description.getMemo(WorkflowTags.MEMO_APP_ID, String.class));
        assertEquals(ENV.toString(), description.getMemo(WorkflowTags.MEMO_ENV_ID, String.class));
        assertEquals(OPERATION.toString(), description.getMemo(WorkflowTags.MEMO_OPERATION_ID, String.class));
        assertEquals("PROVISION_ENVIRONMENT", description.getMemo(WorkflowTags.MEMO_OPERATION, String.class));
        assertEquals(USER.toString(), description.getMemo(WorkflowTags.MEMO_USER_ID, String.class));
    }

    private static WorkflowServiceStubs stubs(EmbeddedTemporalServer server) {
        return WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder().setTarget(server.target()).build());
    }
}
