package io.cloudplane.api.operation;

import io.cloudplane.infra.operation.OperationRecord;
import io.cloudplane.infra.temporal.TemporalSettings;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.json.JsonMapper;
import jakarta.inject.Singleton;

import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.net.URI;
import java.util.function.Function;

/**
 * Launches an operation's workflow and answers 202. A create that starts long work answers with
 * the created resource, its operation embedded under {@code operation}, and Location at the
 * resource ({@link #created}); every other long action answers with the Operation and Location at
 * it ({@link #launch}).
 */
@Singleton
public class Accepted {
    /** For the OpenAPI document, with {@code @Status(ACCEPTED)}: the 202 of a create, with Location at what it created. */
    @Documented
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.METHOD)
    @ApiResponse(responseCode = "202", description = "Accepted: what was created, with the operation that carries the work out under "
            + "`operation` (a backup and a promotion show their progress in their own status instead)",
            headers = @Header(name = "Location", description = "The path of what was created", schema = @Schema(type = "string")))
    public @interface Creates {
    }

    /** For the OpenAPI document, with {@code @Status(ACCEPTED)}: the 202 of any other long action, Location at its operation. */
    @Documented
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.METHOD)
    @ApiResponse(responseCode = "202", description = "Accepted: the operation that carries it out",
            headers = @Header(name = "Location", description = "The operation's path", schema = @Schema(type = "string")))
    public @interface Starts {
    }

    private final OperationLauncher launcher;
    private final JsonMapper json;
    private final TemporalUiSettings temporalUi;
    private final String namespace;

    public Accepted(OperationLauncher launcher, JsonMapper json, TemporalUiSettings temporalUi, TemporalSettings temporal) {
        this.launcher = launcher;
        this.json = json;
        this.temporalUi = temporalUi;
        this.namespace = temporal.namespace();
    }

    public MutableHttpResponse<OperationView> launch(OperationRecord op) {
        launcher.launch(op);
        return respond(op);
    }

    /**
     * Launches the operation that carries a create out, and answers with the created resource:
     * {@code resource} gets the operation's view to embed, {@code location} is the resource's path.
     */
    public <T> MutableHttpResponse<T> created(OperationRecord op, String location, Function<OperationView, T> resource) {
        launcher.launch(op);
        return HttpResponse.accepted(URI.create(location)).body(resource.apply(view(op)));
    }

    /** 202 with the Operation, for an operation that something else (a running workflow) carries out. */
    public MutableHttpResponse<OperationView> respond(OperationRecord op) {
        return HttpResponse.accepted(URI.create("/api/v1/operations/" + op.id())).body(view(op));
    }

    /** The Operation as the API shows it, with its workflow's link in the Temporal UI where one is set. */
    public OperationView view(OperationRecord op) {
        return OperationView.of(op, json, temporalUi.workflowLink(namespace, op.workflowId(), op.runId()));
    }
}
