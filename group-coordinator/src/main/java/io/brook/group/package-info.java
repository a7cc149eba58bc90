/**
 * Consumer groups, server side: the state of the groups one {@code __consumer_offsets} partition
 * coordinates, changed only by the records it writes there, and the uniform sticky assignor.
 * Deterministic — no threads, no I/O, the time passed in — so it is tested on a manual clock and
 * the broker supplies the log writes and the timers.
 */
package io.brook.group;
