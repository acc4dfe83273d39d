package io.cloudplane.worker;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cloudplane.infra.temporal.WorkflowTags;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityOptions;
import io.temporal.activity.LocalActivityOptions;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactoryOptions;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With the jar's own logback.xml and {@code cloudplane.log.format=json}, a line an activity logs is a
 * JSON object whose {@code mdc} names its workflow, run, activity type and operation: the operation
 * from the workflow's memo, or from the activity's input when the workflow has none (a child's); local activities alike.
 */
class LogContextInterceptorTest {
    private static final String TASK_QUEUE = "log-context-test";
    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private PrintStream originalOut;
    private TestWorkflowEnvironment environment;

    public record Job(String operationId, String what) {
    }

    @ActivityInterface
    public interface LoggingActivities {
        void work(Job job);
    }

    public static class LoggingActivitiesImpl implements LoggingActivities {
        @Override
        public void work(Job job) {
            LoggerFactory.getLogger(LoggingActivitiesImpl.class).info("working on {}", job.what());
        }
    }

    @WorkflowInterface
    public interface LoggingWorkflow {
        @WorkflowMethod
        void run(Job job);
    }

    public static class LoggingWorkflowImpl implements LoggingWorkflow {
        private final LoggingActivities activities = Workflow.newActivityStub(LoggingActivities.class,
                ActivityOptions.newBuilder().setStartToCloseTimeout(Duration.ofSeconds(10)).build());
        private final LoggingActivities local = Workflow.newLocalActivityStub(LoggingActivities.class,
                LocalActivityOptions.newBuilder().setStartToCloseTimeout(Duration.ofSeconds(10)).build());

        @Override
        public void run(Job job) {
            activities.work(job);
            local.work(new Job(job.operationId(), job.what() + ", locally"));
        }
    }

    @BeforeEach
    void jsonLogsAndAWorkerWithTheInterceptor() throws Exception {
        originalOut = System.out;
        System.setOut(new PrintStream(output, true, StandardCharsets.UTF_8));
        configureLogback("json");
        environment = TestWorkflowEnvironment.newInstance(TestEnvironmentOptions.newBuilder()
                .setWorkerFactoryOptions(WorkerFactoryOptions.newBuilder().setWorkerInterceptors(new LogContextInterceptor()).build())
                .build());
        Worker worker = environment.newWorker(TASK_QUEUE);
        worker.registerWorkflowImplementationTypes(LoggingWorkflowImpl.class);
        worker.registerActivitiesImplementations(new LoggingActivitiesImpl());
        environment.start();
    }

    @AfterEach
    void back() throws Exception {
        environment.close();
        System.setOut(originalOut);
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(LogContextInterceptorTest.class.getResource("/logback-test.xml"));
    }

    @Test
    void anActivitysJsonLogLineNamesItsWorkflowAndTheOperationOfTheMemo() throws Exception {
        String operationId = UUID.randomUUID().toString();
        String workflowId = "env-provision/" + UUID.randomUUID();
        WorkflowClient client = environment.getWorkflowClient();
        LoggingWorkflow workflow = client.newWorkflowStub(LoggingWorkflow.class, WorkflowOptions.newBuilder()
                .setWorkflowId(workflowId).setTaskQueue(TASK_QUEUE)
                .setMemo(Map.of(WorkflowTags.MEMO_OPERATION_ID, operationId)).build());
        workflow.run(new Job(null, "the memo's operation"));

        JsonNode line = lineWith("working on the memo's operation");
        JsonNode mdc = line.get("mdc");
        assertEquals(operationId, mdc.get("operationId").asText(), line.toString());
        assertEquals(workflowId, mdc.get("workflowId").asText());
        assertEquals(io.temporal.client.WorkflowStub.fromTyped(workflow).getExecution().getRunId(), mdc.get("runId").asText());
        assertEquals("Work", mdc.get("activityType").asText());
        assertEquals("INFO", line.get("level").asText());
        JsonNode local = lineWith("working on the memo's operation, locally").get("mdc");
        assertEquals(operationId, local.get("operationId").asText(), "a local activity's too");
        assertEquals(workflowId, local.get("workflowId").asText());
        assertNull(MDC.get("operationId"), "cleared on this thread");
    }

    @Test
    void withoutAMemoTheOperationComesFromTheActivitysInput() throws Exception {
        String operationId = UUID.randomUUID().toString();
        String workflowId = "backup/" + UUID.randomUUID();
        environment.getWorkflowClient().newWorkflowStub(LoggingWorkflow.class, WorkflowOptions.newBuilder()
                .setWorkflowId(workflowId).setTaskQueue(TASK_QUEUE).build()).run(new Job(operationId, "the input's operation"));

        JsonNode mdc = lineWith("working on the input's operation").get("mdc");
        assertEquals(operationId, mdc.get("operationId").asText());
        assertEquals(workflowId, mdc.get("workflowId").asText());
    }

    @Test
    void theTextFormatStaysTheDefault() throws Exception {
        configureLogback(null);
        LoggerFactory.getLogger(LogContextInterceptorTest.class).info("a plain line");
        String written = output.toString(StandardCharsets.UTF_8);
        assertTrue(written.contains("INFO  i.c.w.LogContextInterceptorTest - a plain line"), written);
        assertFalse(written.contains("\"message\""), written);
    }

    private JsonNode lineWith(String message) throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        List<String> lines = new ArrayList<>();
        for (String text : output.toString(StandardCharsets.UTF_8).split("\n")) {
            lines.add(text);
            if (!text.startsWith("{")) {
                continue; // logback's own status lines
            }
            JsonNode line = mapper.readTree(text);
            if (line.path("formattedMessage").asText().equals(message)) {
                return line;
            }
        }
        throw new AssertionError("No line says '" + message + "' in: " + lines);
    }

    /** The jar's logback.xml, with {@code cloudplane.log.format} as given (null: unset). */
    private static void configureLogback(String format) throws Exception {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        if (format != null) {
            context.putProperty("cloudplane.log.format", format);
        }
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(LogContextInterceptorTest.class.getResource("/logback.xml"));
    }
}
