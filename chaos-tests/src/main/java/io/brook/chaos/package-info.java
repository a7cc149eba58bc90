/**
 * The chaos harness: a cluster of real node processes under faults, a recorded history of every
 * client operation, and checkers named after the anomalies they find.
 */
package io.brook.chaos;
