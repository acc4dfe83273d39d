package io.cloudplane.api.console;

import io.cloudplane.api.operation.OperationView;
import io.cloudplane.api.operation.TemporalUiSettings;
import io.cloudplane.api.problem.ApiException;
import io.cloudplane.infra.account.UserRepository;
import io.cloudplane.infra.app.AppRecord;
import io.cloudplane.infra.app.AppRepository;
import io.cloudplane.infra.environment.EnvironmentRecord;
import io.cloudplane.infra.environment.EnvironmentRepository;
import io.cloudplane.infra.operation.OperationRecord;
import io.cloudplane.infra.operation.OperationRepository;
import io.grpc.StatusRuntimeException;
import io.micronaut.context.annotation.Value;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Error;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Produces;
import io.micronaut.http.cookie.Cookie;
import io.micronaut.http.cookie.SameSite;
import io.micronaut.json.JsonMapper;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import io.swagger.v3.oas.annotations.Hidden;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryRequest;
import io.temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryResponse;
import io.temporal.client.WorkflowClient;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static io.cloudplane.api.console.ConsoleSupport.page;
import static io.cloudplane.api.console.ConsoleSupport.seeOther;
import static io.cloudplane.api.console.ConsoleSupport.toSignIn;

/**
 * The operator's page: every running and failed operation across Cloudplane, newest first (at most
 * {@value #LIMIT}), with its app, environment, type, status, workflow ID, steps and error, and each
 * operation's workflow history from Temporal. For platform administrators only: the emails in
 * {@code cloudplane.console.operators}, or whoever entered {@code cloudplane.console.operator-token} at
 * {@code /operator/sign-in} in this session (remembered by a cookie bound to the session, under a key
 * derived from the token: a new token or a new session ends it). Anyone else gets 404, as for a page
 * that does not exist.
 */
@Controller("/operator")
@Secured(SecurityRule.IS_ANONYMOUS)
@Hidden
@Produces(MediaType.TEXT_HTML)
public class ConsoleOperatorController {
    static final int LIMIT = 100;
    static final int HISTORY_LIMIT = 500;
    static final String COOKIE = "cloudplane_operator";
    private final ConsoleSupport support;
    private final ConsoleOperatorSettings settings;
    private final TemporalUiSettings temporalUi;
    private final UserRepository users;
    private final OperationRepository operations;
    private final AppRepository apps;
    private final EnvironmentRepository environments;
    private final WorkflowClient temporal;
    private final JsonMapper json;
    private final @Nullable SecretKeySpec key;

    public ConsoleOperatorController(ConsoleSupport support, ConsoleOperatorSettings settings, TemporalUiSettings temporalUi,
                                     UserRepository users, OperationRepository operations, AppRepository apps,
                                     EnvironmentRepository environments, WorkflowClient temporal, JsonMapper json,
                                     @Value("${session-signing-secret}") String secret) {
        this.support = support;
        this.settings = settings;
        this.temporalUi = temporalUi;
        this.users = users;
        this.operations = operations;
        this.apps = apps;
        this.environments = environments;
        this.temporal = temporal;
        this.json = json;
        this.key = settings.tokenSet() ? key(secret, settings.operatorToken()) : null;
    }

    @Get
    public HttpResponse<?> operator(HttpRequest<?> http) {
        Optional<UUID> user = support.user(http);
        if (user.isEmpty()) {
            return toSignIn(http);
        }
        requireOperator(user.get(), http);
        Map<UUID, String> appNames = new HashMap<>();
        Map<UUID, String> envNames = new HashMap<>();
        List<GeneralPages.OperatorOperation> shown = operations.findRunningOrFailed(LIMIT).stream()
                .map(op -> entry(op, appNames, envNames)).toList();
        return page(HttpStatus.OK, "operator", new GeneralPages.Operator(support.csrf(http), shown, LIMIT, temporalUi.enabled()));
    }

    /** An operation with its workflow's history: event id, time and type, the first {@value #HISTORY_LIMIT} events. */
    @Get("/operations/{operationId}")
    public HttpResponse<?> operation(UUID operationId, HttpRequest<?> http) {
        Optional<UUID> user = support.user(http);
        if (user.isEmpty()) {
            return toSignIn(http);
        }
        requireOperator(user.get(), http);
        OperationRecord op = operations.findById(operationId).orElseThrow(() -> ApiException.notFound("Operation " + operationId));
        GeneralPages.OperatorOperation entry = entry(op, new HashMap<>(), new HashMap<>());
        List<GeneralPages.HistoryEvent> events = List.of();
        boolean more = false;
        String historyError = null;
        try {
            WorkflowExecution.Builder execution = WorkflowExecution.newBuilder().setWorkflowId(op.workflowId());
            if (op.runId() != null) {
                execution.setRunId(op.runId());
            }
            GetWorkflowExecutionHistoryResponse history = temporal.getWorkflowServiceStubs().blockingStub()
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .getWorkflowExecutionHistory(GetWorkflowExecutionHistoryRequest.newBuilder()
                            .setNamespace(temporal.getOptions().getNamespace()).setExecution(execution)
                            .setMaximumPageSize(HISTORY_LIMIT).build());
            events = history.getHistory().getEventsList().stream()
                    .map(e -> new GeneralPages.HistoryEvent(e.getEventId(),
                            Instant.ofEpochSecond(e.getEventTime().getSeconds(), e.getEventTime().getNanos()),
                            ConsolePages.label(e.getEventType().name().replaceFirst("^EVENT_TYPE_", ""))))
                    .limit(HISTORY_LIMIT).toList();
            more = !history.getNextPageToken().isEmpty();
        } catch (StatusRuntimeException e) {
            historyError = switch (e.getStatus().getCode()) {
                case NOT_FOUND -> "Temporal no longer has this workflow's history (past the namespace's retention), or never started it.";
                default -> "Temporal did not answer: " + e.getStatus().getCode() + (e.getStatus().getDescription() == null ? ""
                        : " (" + e.getStatus().getDescription() + ")");
            };
        }
        return page(HttpStatus.OK, "operatorOperation", new GeneralPages.OperatorDetail(support.csrf(http), entry, events, more,
                HISTORY_LIMIT, historyError));
    }

    /** The bootstrap token's form: only where a token is configured (else 404, as for any page that does not exist). */
    @Get("/sign-in")
    public HttpResponse<?> signInPage(HttpRequest<?> http) {
        Optional<UUID> user = support.user(http);
        if (user.isEmpty()) {
            return toSignIn(http);
        }
        if (key == null) {
            throw ApiException.notFound("Page /operator/sign-in");
        }
        return page(HttpStatus.OK, "operatorSignIn", new GeneralPages.OperatorSignIn(support.csrf(http), null));
    }

    @Post("/sign-in")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public HttpResponse<?> signIn(@Body @Nullable String body, HttpRequest<?> http) {
        return support.post(http, body, (user, form) -> {
            if (key == null) {
                throw ApiException.notFound("Page /operator/sign-in");
            }
            String typed = form.getOrDefault("token", "").trim();
            if (!MessageDigest.isEqual(typed.getBytes(StandardCharsets.UTF_8), settings.operatorToken().getBytes(StandardCharsets.UTF_8))) {
                return page(HttpStatus.FORBIDDEN, "operatorSignIn", new GeneralPages.OperatorSignIn(support.csrf(http),
                        "That is not the operator token."));
            }
            String session = ConsoleSession.token(http).orElseThrow();
            Cookie cookie = Cookie.of(COOKIE, mark(session)).path("/operator").httpOnly(true).sameSite(SameSite.Strict)
                    .secure(ConsoleSession.secure(http));
            return seeOther("/operator").cookie(cookie);
        });
    }

    /** Whether the signed-in user is an operator: by email, or by the token entered in this session. */
    boolean isOperator(UUID user, HttpRequest<?> http) {
        if (!settings.operators().isEmpty() && users.findById(user).map(u -> settings.isOperator(u.email())).orElse(false)) {
            return true;
        }
        if (key == null) {
            return false;
        }
        Optional<String> session = ConsoleSession.token(http);
        Optional<String> marked = http.getCookies().findCookie(COOKIE).map(Cookie::getValue);
        return session.isPresent() && marked.isPresent()
                && MessageDigest.isEqual(mark(session.get()).getBytes(StandardCharsets.US_ASCII), marked.get().getBytes(StandardCharsets.US_ASCII));
    }

    private void requireOperator(UUID user, HttpRequest<?> http) {
        if (!isOperator(user, http)) {
            throw ApiException.notFound("Page " + http.getPath());
        }
    }

    private GeneralPages.OperatorOperation entry(OperationRecord op, Map<UUID, String> appNames, Map<UUID, String> envNames) {
        String app = appNames.computeIfAbsent(op.appId(), id -> apps.findById(id).map(AppRecord::name).orElse(null));
        String env = op.envId() == null ? null
                : envNames.computeIfAbsent(op.envId(), id -> environments.findById(id).map(EnvironmentRecord::name).orElse(null));
        String link = temporalUi.workflowLink(temporal.getOptions().getNamespace(), op.workflowId(), op.runId());
        return new GeneralPages.OperatorOperation(OperationView.of(op, json, link), app, env, link);
    }

    private String mark(String session) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(session.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static SecretKeySpec key(String secret, String token) {
        try {
            byte[] derived = MessageDigest.getInstance("SHA-256")
                    .digest(("cloudplane-console-operator\0" + secret + "\0" + token).getBytes(StandardCharsets.UTF_8));
            return new SecretKeySpec(derived, "HmacSHA256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Error(exception = ApiException.class)
    public HttpResponse<?> refused(HttpRequest<?> http, ApiException e) {
        return ConsoleSupport.refused(http, e);
    }
}
