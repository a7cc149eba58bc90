package io.brook.group.internal;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** PLACEHOLDER until the real assignor lands: round robin, not sticky. */
public final class UniformAssignor {
    private UniformAssignor() {}

    public record Member(String memberId, Set<String> subscribedTopics, Map<String, Set<Integer>> previousTarget) {}

    public static Map<String, Map<String, Set<Integer>>> assign(Collection<Member> members,
            Map<String, Integer> partitionCounts) {
        List<Member> sorted = members.stream().sorted(java.util.Comparator.comparing(Member::memberId)).toList();
        Map<String, Map<String, Set<Integer>>> out = new TreeMap<>();
        sorted.forEach(m -> out.put(m.memberId(), new TreeMap<>()));
        int i = 0;
        for (String topic : new TreeSet<>(partitionCounts.keySet())) {
            List<Member> eligible = sorted.stream().filter(m -> m.subscribedTopics().contains(topic)).toList();
            if (eligible.isEmpty()) {
                continue;
            }
            for (int p = 0; p < partitionCounts.get(topic); p++) {
                Member m = eligible.get(i++ % eligible.size());
                out.get(m.memberId()).computeIfAbsent(topic, t -> new TreeSet<>()).add(p);
            }
        }
        return out;
    }
}
