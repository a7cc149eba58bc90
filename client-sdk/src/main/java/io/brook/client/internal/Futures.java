package io.brook.client.internal;

import io.brook.api.v1.ErrorCode;
import io.brook.client.BrookException;
import io.brook.client.TimeoutException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Helpers for blocking on futures the client's way: its own exceptions, never checked ones. */
public final class Futures {
    private Futures() {}

    /** The real failure inside a {@link CompletionException} or {@link ExecutionException}. */
    public static Throwable unwrap(Throwable error) {
        while ((error instanceof CompletionException || error instanceof ExecutionException) && error.getCause() != null) {
            error = error.getCause();
        }
        return error;
    }

    /**
     * The future's value within {@code timeoutMs}; its failure rethrown as a {@link BrookException};
     * no answer in time is an indeterminate {@link TimeoutException} naming {@code what}.
     */
    public static <T> T get(CompletableFuture<T> future, long timeoutMs, String what) {
        try {
            return future.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw asBrook(e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new TimeoutException("timed out after " + timeoutMs + " ms waiting for " + what, true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrookException(ErrorCode.UNKNOWN_SERVER_ERROR, "interrupted while waiting for " + what, e);
        }
    }

    /** {@code error} as a {@link BrookException} (wrapped when it is not one). */
    public static BrookException asBrook(Throwable error) {
        Throwable cause = unwrap(error);
        return cause instanceof BrookException b ? b
                : new BrookException(ErrorCode.UNKNOWN_SERVER_ERROR, String.valueOf(cause.getMessage()), cause);
    }

    /** Blocks the calling thread for {@code ms} (a backoff between blocking retries). */
    static void delay(long ms) {
        try {
            CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(ms, TimeUnit.MILLISECONDS)).get();
        } catch (ExecutionException e) {
            throw asBrook(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BrookException(ErrorCode.UNKNOWN_SERVER_ERROR, "interrupted", e);
        }
    }
}
