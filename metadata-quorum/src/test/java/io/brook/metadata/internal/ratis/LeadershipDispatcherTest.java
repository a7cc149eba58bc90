package io.brook.metadata.internal.ratis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.brook.metadata.internal.LeadershipListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class LeadershipDispatcherTest {

    @Test
    void repeatedNotificationsBecomeOneBecomeLeaderAndOneResignPerTermInOrderOnOneThread() {
        List<String> calls = new CopyOnWriteArrayList<>();
        List<String> threads = new CopyOnWriteArrayList<>();
        LeadershipListener listener = new LeadershipListener() {
            @Override
            public void becomeLeader(long term) {
                calls.add("become " + term);
                threads.add(Thread.currentThread().getName());
            }

            @Override
            public void resign(long term, int newLeaderId) {
                calls.add("resign " + term + " -> " + newLeaderId);
                threads.add(Thread.currentThread().getName());
            }
        };
        LeadershipDispatcher dispatcher = new LeadershipDispatcher(7, listener);
        dispatcher.notLeader(2);          // never led: nothing to resign
        dispatcher.leaderReady(3);
        dispatcher.leaderReady(3);        // repeated
        dispatcher.notLeader(-1);         // stepped down
        dispatcher.notLeader(2);          // then learned the new leader: already resigned
        dispatcher.leaderReady(5);
        dispatcher.leaderReady(6);        // re-elected without a step-down notification
        dispatcher.close();               // close resigns a still-held leadership
        assertEquals(List.of("become 3", "resign 3 -> -1", "become 5", "resign 5 -> -1", "become 6",
                "resign 6 -> -1"), calls);
        assertEquals(1, threads.stream().distinct().count());
        assertEquals("brook-quorum-leadership-7", threads.get(0));
    }
}
