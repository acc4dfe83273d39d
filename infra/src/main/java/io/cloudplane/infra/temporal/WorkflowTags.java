package io.cloudplane.infra.temporal;

import io.micronaut.core.annotation.Nullable;
import io.temporal.common.SearchAttributeKey;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What an operator finds a workflow by in the Temporal UI: the app, the environment, the operation
 * (its ID and its kind) and the user who asked. Each is written into the workflow's memo when known,
 * and the app, environment and operation kind also as the search attributes {@link #APP_ID},
 * {@link #ENV_ID} and {@link #OPERATION}, where the namespace has them ({@link NamespaceSearchAttributes}).
 * These are start options: the workflow's code never reads them, so they change no history.
 */
public record WorkflowTags(@Nullable UUID appId, @Nullable UUID envId, @Nullable UUID operationId, @Nullable String operation,
                           @Nullable UUID userId) {
    public static final SearchAttributeKey<String> APP_ID = SearchAttributeKey.forKeyword("CloudplaneAppId");
    public static final SearchAttributeKey<String> ENV_ID = SearchAttributeKey.forKeyword("CloudplaneEnvId");
    public static final SearchAttributeKey<String> OPERATION = SearchAttributeKey.forKeyword("CloudplaneOperation");
    /** Every search attribute Cloudplane sets, all of type Keyword. */
    public static final List<SearchAttributeKey<String>> SEARCH_ATTRIBUTES = List.of(APP_ID, ENV_ID, OPERATION);

    /** The memo's keys. */
    public static final String MEMO_APP_ID = "appId";
    public static final String MEMO_ENV_ID = "envId";
    public static final String MEMO_OPERATION_ID = "operationId";
    public static final String MEMO_OPERATION = "operation";
    public static final String MEMO_USER_ID = "userId";

    /** A workflow that serves an app (and maybe one of its environments) but no Operation row. */
    public static WorkflowTags of(@Nullable UUID appId, @Nullable UUID envId, @Nullable UUID userId) {
        return new WorkflowTags(appId, envId, null, null, userId);
    }

    /** The memo: only what is known, every value a string. */
    public Map<String, Object> memo() {
        Map<String, Object> memo = new LinkedHashMap<>();
        put(memo, MEMO_APP_ID, appId);
        put(memo, MEMO_ENV_ID, envId);
        put(memo, MEMO_OPERATION_ID, operationId);
        put(memo, MEMO_OPERATION, operation);
        put(memo, MEMO_USER_ID, userId);
        return memo;
    }

    /** The value of one of {@link #SEARCH_ATTRIBUTES}; null when not known. */
    @Nullable
    public String searchAttribute(SearchAttributeKey<String> key) {
        Object value = key.equals(APP_ID) ? appId : key.equals(ENV_ID) ? envId : key.equals(OPERATION) ? operation : null;
        return value == null ? null : value.toString();
    }

    /** The temporal CLI command that registers one of {@link #SEARCH_ATTRIBUTES} on a namespace. */
    public static String registerCommand(SearchAttributeKey<String> key, String namespace) {
        return "temporal operator search-attribute create --namespace " + namespace + " --name " + key.getName() + " --type Keyword";
    }

    private static void put(Map<String, Object> memo, String key, @Nullable Object value) {
        if (value != null) {
            memo.put(key, value.toString());
        }
    }
}
