package io.brook.metadata;

import static io.brook.metadata.MetadataRecords.replay;
import static io.brook.metadata.MetadataRecords.snapshotRoundTrip;
import static io.brook.metadata.ValidRecordSequences.validRecordSequences;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.brook.api.internal.metadata.MetadataBatch;
import io.brook.api.internal.metadata.MetadataRecord;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Replay invariants over generated valid metadata logs ({@link ValidRecordSequences}): the image
 * depends only on the records, not on how they were batched into deltas, nor on where a snapshot
 * was taken; and a delta reports exactly what changed.
 *
 * <p>Runs with the seed surefire passes as {@code QT_SEED} (fixed in the parent POM) and
 * {@code -Dbrook.properties.examples} examples. A failure prints the shrunk log and the seed;
 * replay it with {@code -Dqt.seed=<seed>} or {@code .withFixedSeed(seed)} after {@code qt()}.
 */
class MetadataReplayPropertiesTest {
    private static final int EXAMPLES = Integer.getInteger("brook.properties.examples", 60);
    private static final int MAX_STEPS = 80;

    /**
     * Cut a log anywhere into batches: one delta for everything, a fresh delta per batch (each
     * batch's image the next base), and one delta kept across {@code apply} calls all end at the
     * same image, and the intermediate images agree and stay as they were published.
     */
    @Test
    void anyBatchingReplaysToTheSameImage() {
        qt().withExamples(EXAMPLES)
                .forAll(validRecordSequences(MAX_STEPS), lists().of(integers().between(0, 10_000)).ofSizeBetween(0, 8))
                .checkAssert((records, cutDraws) -> {
                    List<List<MetadataRecord>> batches = batches(records, cutDraws);
                    MetadataImage straight = replay(MetadataImage.EMPTY, records);

                    List<MetadataImage> perBatch = new ArrayList<>();
                    MetadataImage image = MetadataImage.EMPTY;
                    for (List<MetadataRecord> batch : batches) {
                        image = replay(image, batch);
                        perBatch.add(image);
                    }
                    assertEquals(straight, image);

                    MetadataDelta longLived = new MetadataDelta(MetadataImage.EMPTY);
                    List<MetadataImage> published = new ArrayList<>();
                    for (List<MetadataRecord> batch : batches) {
                        longLived.replayAll(batch);
                        published.add(longLived.apply(new MetadataProvenance(published.size() + 1, 1)));
                    }
                    assertEquals(perBatch, published, "images published by a delta that kept replaying");
                    assertEquals(records.size(), longLived.recordCount());
                });
    }

    /**
     * Snapshot anywhere: the image at position k written as records and replayed onto an empty
     * image is equal (and writes the same bytes); replaying the rest of the log onto it ends at the
     * image of the straight replay.
     */
    @Test
    void snapshotAtAnyPositionThenTheRestEqualsTheStraightReplay() {
        qt().withExamples(EXAMPLES)
                .forAll(validRecordSequences(MAX_STEPS), integers().between(0, 10_000))
                .checkAssert((records, cutDraw) -> {
                    int k = cutDraw % (records.size() + 1);
                    MetadataImage straight = replay(MetadataImage.EMPTY, records);
                    MetadataImage atK = replay(MetadataImage.EMPTY, records.subList(0, k));

                    MetadataImage restored = snapshotRoundTrip(atK);
                    assertEquals(atK, restored);
                    assertArrayEquals(snapshotBytes(atK), snapshotBytes(restored));

                    MetadataImage end = replay(restored, records.subList(k, records.size()));
                    assertEquals(straight, end);
                    assertArrayEquals(snapshotBytes(straight), snapshotBytes(end));
                });
    }

    /**
     * For a base image at any position and a delta of the rest: every topic, partition, broker
     * and config resource that differs between base and next image is reported by the delta, and
     * what the delta reports agrees with the next image.
     */
    @Test
    void deltaReportsEveryChangeBetweenBaseAndNextImage() {
        qt().withExamples(EXAMPLES)
                .forAll(validRecordSequences(MAX_STEPS), integers().between(0, 10_000))
                .checkAssert((records, cutDraw) -> {
                    int k = cutDraw % (records.size() + 1);
                    MetadataImage base = replay(MetadataImage.EMPTY, records.subList(0, k));
                    MetadataDelta delta = new MetadataDelta(base);
                    delta.replayAll(records.subList(k, records.size()));
                    MetadataImage next = delta.apply(new MetadataProvenance(2, 1));

                    checkTopicsReported(base, delta, next);
                    checkBrokersReported(base, delta, next);
                    Set<ConfigResource> resources = new HashSet<>(base.configs().resources().keySet());
                    resources.addAll(next.configs().resources().keySet());
                    for (ConfigResource resource : resources) {
                        if (!base.configs().configs(resource).equals(next.configs().configs(resource))) {
                            assertTrue(delta.changedConfigResources().contains(resource), resource.toString());
                        }
                    }
                    if (!base.acls().equals(next.acls())) {
                        assertTrue(delta.aclsChanged());
                    }
                });
    }

    private static void checkTopicsReported(MetadataImage base, MetadataDelta delta, MetadataImage next) {
        Set<UUID> ids = new HashSet<>(base.topics().topicsById().keySet());
        ids.addAll(next.topics().topicsById().keySet());
        for (UUID id : ids) {
            TopicImage before = base.topics().topic(id);
            TopicImage after = next.topics().topic(id);
            if (after == null) {
                assertEquals(before, delta.removedTopics().get(id), "removed topic " + id);
                assertFalse(delta.changedTopics().containsKey(id));
                continue;
            }
            Set<Integer> changedPartitions = new TreeSet<>();
            for (int p : after.partitions().keySet()) {
                if (before == null || !after.partition(p).equals(before.partition(p))) {
                    changedPartitions.add(p);
                }
            }
            if (!changedPartitions.isEmpty() || !Objects.equals(before, after)) {
                assertTrue(delta.changedTopics().containsKey(id), "changed topic " + id);
                assertTrue(delta.changedTopics().get(id).containsAll(changedPartitions),
                        "changed partitions of " + id + ": " + changedPartitions + " in " + delta.changedTopics());
            }
        }
        for (UUID id : delta.changedTopics().keySet()) {
            assertTrue(next.topics().topicsById().containsKey(id), "a changed topic exists: " + id);
        }
    }

    private static void checkBrokersReported(MetadataImage base, MetadataDelta delta, MetadataImage next) {
        Set<Integer> ids = new HashSet<>(base.cluster().brokers().keySet());
        ids.addAll(next.cluster().brokers().keySet());
        for (int id : ids) {
            BrokerRegistration after = next.cluster().broker(id);
            if (!Objects.equals(base.cluster().broker(id), after)) {
                if (after == null) {
                    assertTrue(delta.removedBrokers().contains(id), "removed broker " + id);
                } else {
                    assertEquals(after, delta.changedBrokers().get(id), "changed broker " + id);
                }
            }
        }
        delta.changedBrokers().forEach((id, broker) -> assertEquals(broker, next.cluster().broker(id)));
        delta.removedBrokers().forEach(id -> assertEquals(null, next.cluster().broker(id)));
    }

    /** The records cut at the drawn positions (taken modulo the length), in order; never empty. */
    private static List<List<MetadataRecord>> batches(List<MetadataRecord> records, List<Integer> cutDraws) {
        TreeSet<Integer> cuts = new TreeSet<>();
        for (int draw : cutDraws) {
            cuts.add(draw % (records.size() + 1));
        }
        cuts.add(records.size());
        List<List<MetadataRecord>> batches = new ArrayList<>();
        int from = 0;
        for (int cut : cuts) {
            batches.add(records.subList(from, cut));
            from = cut;
        }
        return batches;
    }

    private static byte[] snapshotBytes(MetadataImage image) {
        return MetadataBatch.newBuilder().addAllRecords(image.toRecords()).build().toByteArray();
    }
}
