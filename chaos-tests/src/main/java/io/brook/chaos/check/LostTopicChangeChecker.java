package io.brook.chaos.check;

import io.brook.chaos.history.FaultWindow;
import io.brook.chaos.history.History;
import io.brook.chaos.history.Op;
import io.brook.chaos.history.Operation;
import io.brook.client.TopicPartition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Finds lost topic changes: a topic create or delete the cluster acknowledged (or a create it
 * certainly refused) that the final listing of the topics contradicts. The metadata workload
 * creates topics of names unique to the run and deletes some of them while the faults run; the
 * controller quorum must keep every acknowledged change through leader changes and restarts.
 *
 * <p>Exactly: for every topic with a create-topic op in the history, against the last OK
 * list-topics op (whose partitions are every partition of every topic listed):
 * <ul>
 *   <li>a delete-topic that completed OK: the topic must be absent ("deleted topic present");</li>
 *   <li>otherwise, with no delete invoked or only a failed one: a create that completed OK must
 *       be present with exactly the partitions it created ("lost topic", "wrong partitions"), and
 *       a create that failed (certainly not applied) must be absent ("refused topic present");</li>
 *   <li>anything indeterminate (an INFO or never completed create or delete, or one that completed
 *       only after the listing was invoked) allows both.</li>
 * </ul>
 * With create ops but no OK listing the check cannot be made, which is reported as an anomaly
 * too. A history without create ops has nothing to check.
 *
 * <p>Figures: creates-ok, deletes-ok, topics-listed, lost-changes. Stateless and thread-safe.
 */
public final class LostTopicChangeChecker implements Checker {
    public static final String NAME = "lost-topic-change";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public CheckResult check(History history, List<FaultWindow> faults) {
        Map<String, Operation> creates = new TreeMap<>();
        Map<String, List<Operation>> deletes = new HashMap<>();
        Op listing = null;
        long listingInvoked = Long.MAX_VALUE;
        long createsOk = 0;
        long deletesOk = 0;
        for (Operation operation : history.operations()) {
            Op op = operation.last();
            switch (operation.f()) {
                case Op.CREATE_TOPIC -> {
                    creates.put(op.topic(), operation);
                    createsOk += operation.outcome() == Op.Type.OK ? 1 : 0;
                }
                case Op.DELETE_TOPIC -> {
                    deletes.computeIfAbsent(op.topic(), t -> new ArrayList<>()).add(operation);
                    deletesOk += operation.outcome() == Op.Type.OK ? 1 : 0;
                }
                case Op.LIST_TOPICS -> {
                    if (operation.outcome() == Op.Type.OK) {
                        listing = op;
                        listingInvoked = operation.invokeIndex();
                    }
                }
                default -> { }
            }
        }
        List<String> anomalies = new ArrayList<>();
        Map<String, TreeSet<Integer>> listed = new HashMap<>();
        if (listing != null) {
            for (TopicPartition tp : listing.partitions()) {
                listed.computeIfAbsent(tp.topic(), t -> new TreeSet<>()).add(tp.partition());
            }
        } else if (!creates.isEmpty()) {
            anomalies.add("no final listing of the topics: " + creates.size() + " created topics cannot be checked");
        }
        if (listing != null) {
            String seen = "the final listing (op " + listing.index() + ")";
            long before = listingInvoked;
            for (Map.Entry<String, Operation> e : creates.entrySet()) {
                String topic = e.getKey();
                Operation create = e.getValue();
                List<Operation> deleted = deletes.getOrDefault(topic, List.of());
                TreeSet<Integer> present = listed.get(topic);
                Operation deleteOk = deleted.stream().filter(d -> settledBy(d, before) == Op.Type.OK).findFirst()
                        .orElse(null);
                boolean deleteMaybe = deleted.stream().anyMatch(d -> settledBy(d, before) == Op.Type.INFO);
                Op.Type created = settledBy(create, before);
                if (deleteOk != null) {
                    if (present != null) {
                        anomalies.add("deleted topic present: " + topic + " was deleted (" + deleteOk.describeOps()
                                + ") but " + seen + " has it");
                    }
                } else if (!deleteMaybe && created == Op.Type.OK) {
                    TreeSet<Integer> expected = new TreeSet<>();
                    create.first().partitions().forEach(tp -> expected.add(tp.partition()));
                    if (present == null) {
                        anomalies.add("lost topic: " + topic + " was created (" + create.describeOps() + ") but "
                                + seen + " does not have it");
                    } else if (!expected.isEmpty() && !present.equals(expected)) {
                        anomalies.add("wrong partitions: " + topic + " was created with partitions " + expected + " ("
                                + create.describeOps() + ") but " + seen + " has " + present);
                    }
                } else if (!deleteMaybe && created == Op.Type.FAIL && present != null) {
                    anomalies.add("refused topic present: creating " + topic + " failed (" + create.describeOps()
                            + ": " + create.last().error() + ") but " + seen + " has it");
                }
            }
        }
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("creates-ok", createsOk);
        figures.put("deletes-ok", deletesOk);
        figures.put("topics-listed", (long) listed.size());
        figures.put("lost-changes", (long) anomalies.size());
        return CheckResult.of(NAME, anomalies, figures);
    }

    /** The outcome as the listing invoked at {@code listingInvoked} can know it: INFO when it completed later. */
    private static Op.Type settledBy(Operation operation, long listingInvoked) {
        return operation.completeIndex() < listingInvoked ? operation.outcome() : Op.Type.INFO;
    }
}
