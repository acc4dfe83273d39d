package io.cloudplane.api.console;

import io.cloudplane.api.problem.ApiException;
import io.cloudplane.api.server.LogsController;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Error;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import io.swagger.v3.oas.annotations.Hidden;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.UUID;

import static io.cloudplane.api.console.ConsoleSupport.auth;
import static io.cloudplane.api.console.ConsoleSupport.page;
import static io.cloudplane.api.console.ConsoleSupport.toSignIn;

/**
 * The app panel's Logs tab: the tail of the server's log (the API's {@link LogsController}, the database
 * password redacted), following live (the tail's fragment polls itself every 2 seconds; Pause and Follow,
 * a button, switch it), and the whole log as a download checked by the session.
 */
@Controller("/apps/{appId}/environments/{envId}/logs")
@Secured(SecurityRule.IS_ANONYMOUS)
@Hidden
public class ConsoleLogsController {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ConsoleLogsController.class);
    static final int DEFAULT_LINES = 200;
    private final ConsoleSupport support;
    private final LogsController logsApi;

    public ConsoleLogsController(ConsoleSupport support, LogsController logsApi) {
        this.support = support;
        this.logsApi = logsApi;
    }

    @Get(produces = MediaType.TEXT_HTML)
    public HttpResponse<?> show(UUID appId, UUID envId, @Nullable @QueryValue String follow, @Nullable @QueryValue Integer lines,
                                HttpRequest<?> http) {
        Optional<UUID> user = support.user(http);
        if (user.isEmpty()) {
            return toSignIn(http);
        }
        ConsolePages.Frame frame = support.frame(http, user.get(), appId, envId, ConsolePages.Concern.LOGS);
        OpsPages.LogsTail tail = tail(appId, envId, frame.environment().name(), user.get(), follow, lines);
        return page(status(lines), "logs", new OpsPages.Logs(frame, tail));
    }

    /** The tail alone: what the following polls, and what Pause and Follow swap in. */
    @Get(value = "/tail", produces = MediaType.TEXT_HTML)
    public HttpResponse<?> tail(UUID appId, UUID envId, @Nullable @QueryValue String follow, @Nullable @QueryValue Integer lines,
                                HttpRequest<?> http) {
        Optional<UUID> user = support.user(http);
        if (user.isEmpty()) {
            return toSignIn(http);
        }
        ConsolePages.Frame frame = support.frame(http, user.get(), appId, envId, ConsolePages.Concern.LOGS);
        return page(status(lines), "logsTail", tail(appId, envId, frame.environment().name(), user.get(), follow, lines));
    }

    /** The whole log as a file (the API's download), for a signed-in member of the team. */
    @Get("/download")
    public HttpResponse<?> download(UUID appId, UUID envId, HttpRequest<?> http) {
        Optional<UUID> user = support.user(http);
        if (user.isEmpty()) {
            return toSignIn(http);
        }
        support.frame(http, user.get(), appId, envId, ConsolePages.Concern.LOGS);
        return logsApi.logs(appId, envId, null, "true", auth(user.get()));
    }

    /** 400 for a number of lines the API refuses (the page says why), else 200. */
    private static HttpStatus status(@Nullable Integer lines) {
        return lines != null && (lines < 1 || lines > 10_000) ? HttpStatus.BAD_REQUEST : HttpStatus.OK;
    }

    private OpsPages.LogsTail tail(UUID appId, UUID envId, String envName, UUID user, @Nullable String follow, @Nullable Integer lines) {
        boolean following = !"false".equals(follow);
        int n = lines == null ? DEFAULT_LINES : lines;
        try {
            HttpResponse<?> answer = logsApi.logs(appId, envId, n, null, auth(user));
            Object body = answer.body();
            String text = body instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(body == null ? "" : body);
            return new OpsPages.LogsTail(appId, envId, envName, n, following, text, null);
        } catch (ApiException e) {
            if (e.status() == HttpStatus.NOT_FOUND || e.status() == HttpStatus.UNAUTHORIZED) {
                throw e;
            }
            int shown = n < 1 || n > 10_000 ? DEFAULT_LINES : n;
            return new OpsPages.LogsTail(appId, envId, envName, shown, false, "", ConsoleSupport.message(e));
        } catch (RuntimeException e) {
            // The runtime could not read the log now (the server has not written one yet, say): said in words, not a 500.
            LOG.warn("The log of environment {} could not be read for the console", envId, e);
            return new OpsPages.LogsTail(appId, envId, envName, n, following, "",
                    "The log cannot be read now (the server may not have written one yet): try again in a moment.");
        }
    }

    @Error(exception = ApiException.class)
    public HttpResponse<?> refused(HttpRequest<?> http, ApiException e) {
        return ConsoleSupport.refused(http, e);
    }
}
