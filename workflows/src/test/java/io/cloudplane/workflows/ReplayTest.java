package io.cloudplane.workflows;

import io.cloudplane.workflows.common.Activities;
import io.cloudplane.workflows.common.TaskQueues;
import io.cloudplane.workflows.environment.ProvisionEnvironmentWorkflow;
import io.cloudplane.workflows.environment.ProvisionRequest;
import io.cloudplane.workflows.operation.OperationTracker;
import io.temporal.common.metadata.POJOWorkflowImplMetadata;
import io.temporal.common.metadata.POJOWorkflowMethodMetadata;
import io.temporal.worker.NonDeterministicException;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.testing.WorkflowReplayer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Saved histories must replay against today's code: a change without Workflow.getVersion breaks
 * them. Both sides are found, not listed: every file under {@code histories/<WorkflowType>/}, and
 * every workflow implementation of this module, by the workflow type it implements.
 */
class ReplayTest {
    private static final Map<String, Class<?>> IMPLEMENTATIONS = workflowImplementations();

    static Stream<Arguments> savedHistories() throws IOException, URISyntaxException {
        Path root = Path.of(Objects.requireNonNull(ReplayTest.class.getResource("/histories"), "no histories on the test classpath")
                .toURI());
        List<Arguments> histories;
        try (Stream<Path> files = Files.walk(root)) {
            histories = files.filter(f -> f.toString().endsWith(".json")).sorted()
                    .map(f -> Arguments.of(root.relativize(f).toString().replace('\\', '/'), f.getParent().getFileName().toString()))
                    .toList();
        }
        assertFalse(histories.isEmpty(), "no saved history under " + root);
        return histories.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("savedHistories")
    void savedHistoryReplays(String history, String workflowType) throws Exception {
        Class<?> implementation = IMPLEMENTATIONS.get(workflowType);
        assertNotNull(implementation, "histories/" + history + ": no workflow implementation of type " + workflowType
                + " (the directory is named after the workflow type); known: " + new TreeSet<>(IMPLEMENTATIONS.keySet()));
        WorkflowReplayer.replayWorkflowExecutionFromResource("histories/" + history, implementation);
    }

    @Test
    void everyWorkflowHasASavedHistory() throws Exception {
        Set<String> withHistory = new TreeSet<>();
        savedHistories().forEach(args -> withHistory.add((String) args.get()[1]));
        Set<String> without = new TreeSet<>(IMPLEMENTATIONS.keySet());
        without.removeAll(withHistory);
        assertEquals(Set.of(), without, "workflows without a saved history under src/test/resources/histories");
    }

    /**
     * The same history against a provisioning that skips a step must be refused as
     * non-deterministic. WorkflowReplayer replays through a query, so the NonDeterministicException
     * reaches the caller only as the query's error, named in the message of a RuntimeException
     * (it carries no cause).
     */
    @Test
    void aChangeWithoutVersioningIsCaught() {
        RuntimeException refused = assertThrows(RuntimeException.class, () -> WorkflowReplayer.replayWorkflowExecutionFromResource(
                "histories/ProvisionEnvironmentWorkflow/succeeded.json", ProvisionWithoutFolders.class));
        String message = refused.getMessage();
        assertTrue(message.contains("error=" + NonDeterministicException.class.getName() + ": "), message);
        assertTrue(message.contains("expected value 'name: \"StartServer\"") && message.contains("actual value 'name: \"CreateFolders\""),
                "the dropped step is the mismatch: " + message);
    }

    public static class ProvisionWithoutFolders implements ProvisionEnvironmentWorkflow {
        @Override
        public void provision(ProvisionRequest request) {
            // Same workflow type, but the folder step was dropped without Workflow.getVersion.
            var databases = Activities.databases();
            var runtime = Activities.runtime();
            var operation = new OperationTracker(request.operationId());
            operation.started();
            operation.step("create-database", () -> databases.createDatabase(request.envId()));
            operation.step("start-server", () -> runtime.startServer(request.envId()));
            operation.succeeded();
        }
    }

    /** Workflow type to implementation, for every concrete workflow class in the module's main classes. */
    private static Map<String, Class<?>> workflowImplementations() {
        try {
            Path classes = Path.of(TaskQueues.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Map<String, Class<?>> byType = new HashMap<>();
            try (Stream<Path> files = Files.walk(classes)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                    String name = classes.relativize(file).toString().replace('\\', '/').replace('/', '.').replaceAll("\\.class$", "");
                    Class<?> type = Class.forName(name, false, ReplayTest.class.getClassLoader());
                    if (!isWorkflowImplementation(type)) {
                        continue;
                    }
                    for (POJOWorkflowMethodMetadata method : POJOWorkflowImplMetadata.newInstance(type).getWorkflowMethods()) {
                        Class<?> other = byType.put(method.getName(), type);
                        if (other != null) {
                            throw new IllegalStateException("two implementations of " + method.getName() + ": " + other + ", " + type);
                        }
                    }
                }
            }
            return Map.copyOf(byType);
        } catch (IOException | URISyntaxException | ClassNotFoundException e) {
            throw new IllegalStateException("cannot list the workflow implementations", e);
        }
    }

    private static boolean isWorkflowImplementation(Class<?> type) {
        if (type.isInterface() || Modifier.isAbstract(type.getModifiers()) || type.isAnonymousClass() || type.isLocalClass()
                || type.isSynthetic()) {
            return false;
        }
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (Class<?> implemented : c.getInterfaces()) {
                if (implemented.isAnnotationPresent(WorkflowInterface.class)) {
                    return true;
                }
            }
        }
        return false;
    }
}
