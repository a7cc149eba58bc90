/**
 * A chaos run's record: the client {@link io.brook.chaos.history.History} (every operation's
 * invocation and outcome, as Jepsen records it) and the nemesis's
 * {@link io.brook.chaos.history.FaultHistory}, each written as JSON lines. Pure data and
 * bookkeeping: no threads, no clock of its own.
 */
package io.brook.chaos.history;
