package io.brook.client.internal;

/** Opens {@link Connection}s by address and owns them; closing it closes them all. */
public interface Transport extends AutoCloseable {

    /** The connection to {@code host:port}, made on first use and shared afterwards. */
    Connection connection(String host, int port);

    @Override
    void close();
}
