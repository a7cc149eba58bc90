package io.brook.metadata.internal.grpc;

import io.brook.api.internal.controller.ControllerServiceGrpc;
import io.brook.api.internal.controller.MetadataUpdate;
import io.brook.api.internal.controller.WatchMetadataRequest;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Test-only ControllerService: WatchMetadata delegates to a {@link MetadataWatchHandler} (as the
 * real ControllerGrpcService does); everything else is UNIMPLEMENTED. Counts the messages the
 * handler hands to gRPC, to check that a watcher that does not read is not buffered for.
 */
public final class WatchOnlyControllerService extends ControllerServiceGrpc.ControllerServiceImplBase {
    private final MetadataWatchHandler handler;
    public final AtomicLong sent = new AtomicLong();

    public WatchOnlyControllerService(MetadataWatchHandler handler) {
        this.handler = handler;
    }

    @Override
    public void watchMetadata(WatchMetadataRequest request, StreamObserver<MetadataUpdate> responseObserver) {
        handler.watch(request, new Counting((ServerCallStreamObserver<MetadataUpdate>) responseObserver));
    }

    private final class Counting extends ServerCallStreamObserver<MetadataUpdate> {
        private final ServerCallStreamObserver<MetadataUpdate> delegate;

        Counting(ServerCallStreamObserver<MetadataUpdate> delegate) {
            this.delegate = delegate;
        }

        @Override
        public void onNext(MetadataUpdate value) {
            sent.incrementAndGet();
            delegate.onNext(value);
        }

        @Override
        public void onError(Throwable t) {
            delegate.onError(t);
        }

        @Override
        public void onCompleted() {
            delegate.onCompleted();
        }

        @Override
        public boolean isCancelled() {
            return delegate.isCancelled();
        }

        @Override
        public void setOnCancelHandler(Runnable onCancelHandler) {
            delegate.setOnCancelHandler(onCancelHandler);
        }

        @Override
        public void setCompression(String compression) {
            delegate.setCompression(compression);
        }

        @Override
        public boolean isReady() {
            return delegate.isReady();
        }

        @Override
        public void setOnReadyHandler(Runnable onReadyHandler) {
            delegate.setOnReadyHandler(onReadyHandler);
        }

        @Override
        public void disableAutoInboundFlowControl() {
            delegate.disableAutoInboundFlowControl();
        }

        @Override
        public void request(int count) {
            delegate.request(count);
        }

        @Override
        public void setMessageCompression(boolean enable) {
            delegate.setMessageCompression(enable);
        }
    }
}
