package io.cloudplane.api.operation;

import io.cloudplane.infra.operation.OperationRecord;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.json.JsonMapper;
import jakarta.inject.Singleton;

import java.net.URI;

/** Launches an operation's workflow and answers 202 with the Operation and its Location. */
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

    /** 202 with the Operation, for an operation that something else (a running workflow) carries out. */
    public MutableHttpResponse<OperationView> respond(OperationRecord op) {
        return HttpResponse.accepted(URI.create("/api/v1/operations/" + op.id())).body(OperationView.of(op, json));
    }

    public OperationView view(OperationRecord op) {
        return OperationView.of(op, json);
    }
}
