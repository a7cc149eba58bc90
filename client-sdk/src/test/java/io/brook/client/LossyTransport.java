package io.brook.client;

import io.brook.api.v1.ProduceStreamResponse;
import io.brook.client.internal.Connection;
import io.brook.client.internal.Transport;
import io.brook.client.internal.grpc.GrpcTransport;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The real gRPC transport, except that every {@code lossEvery}-th produce answer is thrown away
 * after the broker has acted on the request, and its stream is broken: the producer sees an
 * indeterminate failure for a write that happened, and must retry without duplicating it.
 */
final class LossyTransport implements Transport {
    private final GrpcTransport real = new GrpcTransport(16 << 20);
    private final int lossEvery;
    private final AtomicInteger answers = new AtomicInteger();
    final AtomicInteger lost = new AtomicInteger();

    LossyTransport(int lossEvery) {
        this.lossEvery = lossEvery;
    }

    /** The real connection, with its produce streams made lossy. */
    @Override
    public Connection connection(String host, int port) {
        Connection connection = real.connection(host, port);
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("openProduceStream")) {
                        return lossy(connection, uncheckedConsumer(args[0]), uncheckedConsumer(args[1]));
                    }
                    try {
                        return method.invoke(connection, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private Connection.ProduceStream lossy(Connection connection, Consumer<ProduceStreamResponse> onResponse,
            Consumer<Throwable> onClosed) {
        AtomicBoolean broken = new AtomicBoolean();
        Connection.ProduceStream[] stream = new Connection.ProduceStream[1];
        stream[0] = connection.openProduceStream(response -> {
            if (broken.get()) {
                return;
            }
            if (answers.incrementAndGet() % lossEvery == 0 && broken.compareAndSet(false, true)) {
                lost.incrementAndGet();
                stream[0].cancel();
                onClosed.accept(new NetworkException("injected: the answer was lost", true, null));
                return;
            }
            onResponse.accept(response);
        }, error -> {
            if (broken.compareAndSet(false, true)) {
                onClosed.accept(error);
            }
        });
        return stream[0];
    }

    @SuppressWarnings("unchecked")
    private static <T> Consumer<T> uncheckedConsumer(Object consumer) {
        return (Consumer<T>) consumer;
    }

    @Override
    public void close() {
        real.close();
    }
}
