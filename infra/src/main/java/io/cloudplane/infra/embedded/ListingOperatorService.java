package io.cloudplane.infra.embedded;

import io.grpc.stub.StreamObserver;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.AddSearchAttributesResponse;
import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.ListSearchAttributesResponse;
import io.temporal.api.operatorservice.v1.OperatorServiceGrpc;
import io.temporal.api.operatorservice.v1.RemoveSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.RemoveSearchAttributesResponse;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The test server's operator service with ListSearchAttributes, which it lacks: it registers and
 * removes search attributes (and then validates workflows' starts against them) but cannot say which
 * it has. This one hands adds and removals to it and remembers those it accepted, so that
 * Cloudplane asks the embedded server which attributes exist exactly as it asks a cluster.
 */
final class ListingOperatorService extends OperatorServiceGrpc.OperatorServiceImplBase {
    private final OperatorServiceGrpc.OperatorServiceImplBase server;
    private final Map<String, IndexedValueType> added = new ConcurrentHashMap<>();

    ListingOperatorService(OperatorServiceGrpc.OperatorServiceImplBase server) {
        this.server = server;
    }

    @Override
    public void addSearchAttributes(AddSearchAttributesRequest request, StreamObserver<AddSearchAttributesResponse> response) {
        server.addSearchAttributes(request, new Forwarding<>(response, () -> added.putAll(request.getSearchAttributesMap())));
    }

    @Override
    public void removeSearchAttributes(RemoveSearchAttributesRequest request, StreamObserver<RemoveSearchAttributesResponse> response) {
        server.removeSearchAttributes(request, new Forwarding<>(response,
                () -> request.getSearchAttributesList().forEach(added::remove)));
    }

    @Override
    public void listSearchAttributes(ListSearchAttributesRequest request, StreamObserver<ListSearchAttributesResponse> response) {
        response.onNext(ListSearchAttributesResponse.newBuilder().putAllCustomAttributes(added).build());
        response.onCompleted();
    }

    /** Passes the answer on, after noting an accepted change. */
    private record Forwarding<T>(StreamObserver<T> to, Runnable accepted) implements StreamObserver<T> {
        @Override
        public void onNext(T value) {
            accepted.run();
            to.onNext(value);
        }

        @Override
        public void onError(Throwable t) {
            to.onError(t);
        }

        @Override
        public void onCompleted() {
            to.onCompleted();
        }
    }
}
