package io.cloudplane.worker;

import io.cloudplane.infra.temporal.WorkflowTags;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.activity.ActivityInfo;
import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptor;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptorBase;
import io.temporal.common.interceptors.Header;
import io.temporal.common.interceptors.WorkerInterceptorBase;
import io.temporal.common.interceptors.WorkflowInboundCallsInterceptor;
import io.temporal.common.interceptors.WorkflowInboundCallsInterceptorBase;
import io.temporal.common.interceptors.WorkflowOutboundCallsInterceptor;
import io.temporal.common.interceptors.WorkflowOutboundCallsInterceptorBase;
import io.temporal.workflow.Workflow;
import org.slf4j.MDC;

import java.lang.reflect.RecordComponent;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Every log line written while an activity runs carries, in SLF4J's MDC, the {@code workflowId},
 * {@code runId} and {@code activityType}, and the {@code operationId} of the operation it works for:
 * from its workflow's memo (the workflow side passes it to each activity it schedules in the header
 * {@value #OPERATION_HEADER}: activities cannot read the memo), else from the activity's input (a
 * record with an {@code operationId}, as child workflows' activities have). Cleared when the activity ends.
 * The header is not part of what a replay compares, so saved histories replay as before.
 */
public class LogContextInterceptor extends WorkerInterceptorBase {
    public static final String OPERATION_HEADER = "cloudplane-operation-id";
    public static final String WORKFLOW_ID = "workflowId";
    public static final String RUN_ID = "runId";
    public static final String ACTIVITY_TYPE = "activityType";
    public static final String OPERATION_ID = "operationId";

    @Override
    public WorkflowInboundCallsInterceptor interceptWorkflow(WorkflowInboundCallsInterceptor next) {
        return new WorkflowInboundCallsInterceptorBase(next) {
            @Override
            public void init(WorkflowOutboundCallsInterceptor outbound) {
                super.init(new OperationHeader(outbound));
            }
        };
    }

    @Override
    public ActivityInboundCallsInterceptor interceptActivity(ActivityInboundCallsInterceptor next) {
        return new ActivityLogContext(next);
    }

    /** Adds the memo's operation ID to each activity's header. */
    private static final class OperationHeader extends WorkflowOutboundCallsInterceptorBase {
        OperationHeader(WorkflowOutboundCallsInterceptor next) {
            super(next);
        }

        @Override
        public <R> ActivityOutput<R> executeActivity(ActivityInput<R> input) {
            return super.executeActivity(new ActivityInput<>(input.getActivityName(), input.getResultClass(), input.getResultType(),
                    input.getArgs(), input.getOptions(), withOperation(input.getHeader())));
        }

        @Override
        public <R> LocalActivityOutput<R> executeLocalActivity(LocalActivityInput<R> input) {
            return super.executeLocalActivity(new LocalActivityInput<>(input.getActivityName(), input.getResultClass(),
                    input.getResultType(), input.getArgs(), input.getOptions(), withOperation(input.getHeader())));
        }

        private static Header withOperation(Header header) {
            String operationId = (String) Workflow.getMemo(WorkflowTags.MEMO_OPERATION_ID, String.class);
            if (operationId == null) {
                return header;
            }
            Map<String, Payload> values = new HashMap<>(header.getValues());
            DefaultDataConverter.STANDARD_INSTANCE.toPayload(operationId).ifPresent(p -> values.put(OPERATION_HEADER, p));
            return new Header(values);
        }
    }

    private static final class ActivityLogContext extends ActivityInboundCallsInterceptorBase {
        private ActivityExecutionContext context;

        ActivityLogContext(ActivityInboundCallsInterceptor next) {
            super(next);
        }

        @Override
        public void init(ActivityExecutionContext context) {
            this.context = context;
            super.init(context);
        }

        @Override
        public ActivityOutput execute(ActivityInput input) {
            ActivityInfo info = context.getInfo();
            MDC.put(WORKFLOW_ID, info.getWorkflowId());
            MDC.put(RUN_ID, info.getRunId());
            MDC.put(ACTIVITY_TYPE, info.getActivityType());
            operationId(input).ifPresent(id -> MDC.put(OPERATION_ID, id));
            try {
                return super.execute(input);
            } finally {
                MDC.remove(WORKFLOW_ID);
                MDC.remove(RUN_ID);
                MDC.remove(ACTIVITY_TYPE);
                MDC.remove(OPERATION_ID);
            }
        }
    }

    static Optional<String> operationId(ActivityInboundCallsInterceptor.ActivityInput input) {
        Payload fromMemo = input.getHeader().getValues().get(OPERATION_HEADER);
        if (fromMemo != null) {
            return Optional.ofNullable(DefaultDataConverter.STANDARD_INSTANCE.fromPayload(fromMemo, String.class, String.class));
        }
        for (Object argument : input.getArguments()) {
            if (argument != null && argument.getClass().isRecord()) {
                for (RecordComponent component : argument.getClass().getRecordComponents()) {
                    if (component.getName().equals("operationId") && component.getType() == String.class) {
                        try {
                            return Optional.ofNullable((String) component.getAccessor().invoke(argument));
                        } catch (ReflectiveOperationException e) {
                            return Optional.empty();
                        }
                    }
                }
            }
        }
        return Optional.empty();
    }
}
