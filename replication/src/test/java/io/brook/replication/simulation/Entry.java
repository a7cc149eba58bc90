package io.brook.replication.simulation;

/** One record of a simulated log (one record per batch): the leader epoch that wrote it and a value unique in the run. */
record Entry(int epoch, long value) {
    @Override
    public String toString() {
        return "e" + epoch + ":" + value;
    }
}
