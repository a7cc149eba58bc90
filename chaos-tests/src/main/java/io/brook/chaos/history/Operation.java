package io.brook.chaos.history;

/**
 * An invocation paired with its completion (see {@link History#operations()}). Immutable.
 *
 * <p>Either side may be missing: a notification (assign, revoke) is a completion without an
 * invocation, and an invocation the run never completed (the process was still waiting when the
 * history was written) has no completion; it counts as indeterminate.
 *
 * @param invocation the INVOKE op, or null for a notification
 * @param completion the OK, FAIL or INFO op, or null if none was recorded
 */
public record Operation(Op invocation, Op completion) {
    public Operation {
        if (invocation == null && completion == null) {
            throw new IllegalArgumentException("an operation needs an invocation or a completion");
        }
        if (invocation != null && !invocation.isInvoke()) {
            throw new IllegalArgumentException("not an invocation: " + invocation);
        }
        if (completion != null && completion.isInvoke()) {
            throw new IllegalArgumentException("not a completion: " + completion);
        }
    }

    /** The outcome: the completion's type, or {@link Op.Type#INFO} when it never completed. */
    public Op.Type outcome() {
        return completion == null ? Op.Type.INFO : completion.type();
    }

    /** What was done. */
    public String f() {
        return first().f();
    }

    /** The process that did it. */
    public int process() {
        return first().process();
    }

    /** The op that started it: the invocation, or the completion of a notification. */
    public Op first() {
        return invocation != null ? invocation : completion;
    }

    /**
     * The op that ended it: the completion, or the invocation of one that never completed. The
     * one to read the payload from (a completion carries the acknowledged offsets).
     */
    public Op last() {
        return completion != null ? completion : invocation;
    }

    /** Index at which it started: the invocation's, or the notification's own. */
    public long invokeIndex() {
        return first().index();
    }

    /** Index at which it completed, or {@link Long#MAX_VALUE} if it never did. */
    public long completeIndex() {
        return completion == null ? Long.MAX_VALUE : completion.index();
    }

    /** "op 12" for a notification, "invoke op 10, ok op 12" otherwise. */
    public String describeOps() {
        if (invocation == null) {
            return "op " + completion.index();
        }
        if (completion == null) {
            return "invoke op " + invocation.index() + ", never completed";
        }
        return "invoke op " + invocation.index() + ", " + completion.type().name().toLowerCase(java.util.Locale.ROOT)
                + " op " + completion.index();
    }
}
