package io.cloudplane.api.app;

import io.cloudplane.infra.app.AppListChanges;
import io.micronaut.http.HttpMethod;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;

/**
 * Every call that may change something (any method but GET, HEAD and OPTIONS) moves the apps lists'
 * generation once it has run and before its response is written, whatever it answered: the
 * caller's next {@code GET /api/v1/apps} then reads the list again, without waiting for
 * PostgreSQL's notification of the change to reach this process ({@link AppListCache}).
 */
@ServerFilter(value = "/api/**", methods = {HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE})
public class AppListInvalidation {
    private final AppListChanges changes;

    public AppListInvalidation(AppListChanges changes) {
        this.changes = changes;
    }

    @ResponseFilter
    public void afterChange(MutableHttpResponse<?> response) {
        changes.changed();
    }
}
