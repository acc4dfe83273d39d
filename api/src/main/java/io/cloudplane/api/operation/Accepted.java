package io.cloudplane.api.operation;

import io.cloudplane.infra.operation.OperationRecord;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.json.JsonMapper;
import jakarta.inject.Singleton;

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
    private final OperationLauncher launcher;
    private final JsonMapper json;

    public Accepted(OperationLauncher launcher, JsonMapper json) {
        this.launcher = launcher;
        this.json = json;
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
        return HttpResponse.accepted(URI.create("/api/v1/operations/" + op.id())).body(OperationView.of(op, json));
    }

    public OperationView view(OperationRecord op) {
        return OperationView.of(op, json);
    }
}
