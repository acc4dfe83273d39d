package io.cloudplane.infra.temporal;

import io.cloudplane.workflows.common.TaskQueues;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.SearchAttributeKey;
import io.temporal.common.SearchAttributes;
import jakarta.inject.Singleton;

import java.util.Set;

/**
 * The options of every workflow Cloudplane starts: its business-key ID, the control-plane task
 * queue, the memo of {@link WorkflowTags}, and those of its search attributes that the namespace
 * has ({@link NamespaceSearchAttributes}).
 */
@Singleton
public class WorkflowStarts {
    private final NamespaceSearchAttributes searchAttributes;

    public WorkflowStarts(NamespaceSearchAttributes searchAttributes) {
        this.searchAttributes = searchAttributes;
    }

    public WorkflowOptions options(String workflowId, WorkflowTags tags) {
        return options(workflowId, tags, searchAttributes.present());
    }

    static WorkflowOptions options(String workflowId, WorkflowTags tags, Set<String> present) {
        SearchAttributes.Builder attributes = SearchAttributes.newBuilder();
        for (SearchAttributeKey<String> key : WorkflowTags.SEARCH_ATTRIBUTES) {
            String value = tags.searchAttribute(key);
            if (value != null && present.contains(key.getName())) {
                attributes.set(key, value);
            }
        }
        return WorkflowOptions.newBuilder()
                .setWorkflowId(workflowId)
                .setTaskQueue(TaskQueues.CONTROL_PLANE)
                .setMemo(tags.memo())
                .setTypedSearchAttributes(attributes.build())
                .build();
    }
}
