package io.brook.cli;

import io.brook.client.ClusterDescription;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;

/** {@code brook cluster status}: the controller quorum, the brokers and the partitions' health. */
@Command(name = "cluster", description = "The state of the cluster.", mixinStandardHelpOptions = true,
        subcommands = {ClusterCommand.Status.class})
final class ClusterCommand extends CommandGroup {

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = {"Show the quorum, the brokers and the partitions' health.", "The cluster id; the controller quorum: its leader (the active controller), Raft term, "
                    + "and each voter's lag behind the leader in log entries; every registered broker with its "
                    + "address, rack and state (alive, fenced, in controlled shutdown); and the counts of "
                    + "under-replicated (ISR smaller than the replicas) and offline (no leader) partitions.",
                    "json: {clusterId, controller: {id, term} (null when the quorum did not answer), quorumError, "
                            + "voters: [{id, lag, leader}], brokers: [{id, host, port, rack, alive, fenced, "
                            + "inControlledShutdown}], underReplicatedPartitions, offlinePartitions}."})
    static final class Status extends ClientCommand {
        @Override
        public void run() {
            ClusterDescription cluster = client.withAdmin(admin -> admin.describeCluster());
            PrintWriter out = out();
            if (client.json()) {
                out.println(Json.write(json(cluster)));
                return;
            }
            out.println("Cluster id: " + cluster.clusterId());
            if (cluster.quorumError().isPresent()) {
                out.println("Controller: unknown (" + cluster.quorumError().get() + ")");
            } else {
                out.println("Controller: " + cluster.controllerId() + " (leader of the quorum, term "
                        + cluster.controllerTerm() + ")");
                out.println("Quorum voters:");
                Table voters = new Table("ID", "ROLE", "LAG");
                for (ClusterDescription.Voter voter : cluster.voters()) {
                    voters.row(voter.nodeId(), voter.nodeId() == cluster.controllerId() ? "leader" : "follower",
                            voter.lag() < 0 ? "unknown" : voter.lag());
                }
                voters.print(out, "  ");
            }
            out.println("Brokers:");
            Table brokers = new Table("ID", "ADDRESS", "RACK", "STATE");
            for (ClusterDescription.Broker broker : cluster.brokers()) {
                brokers.row(broker.id(), broker.host().isEmpty() ? "-" : broker.host() + ":" + broker.port(),
                        broker.rack().orElse("-"), state(broker));
            }
            brokers.print(out, "  ");
            out.println("Under-replicated partitions: " + cluster.underReplicatedPartitions());
            out.println("Offline partitions: " + cluster.offlinePartitions());
        }

        private static String state(ClusterDescription.Broker broker) {
            return (broker.alive() ? "alive" : "fenced") + (broker.inControlledShutdown() ? ", in controlled shutdown" : "");
        }

        private static Object json(ClusterDescription cluster) {
            List<Object> voters = new ArrayList<>();
            for (ClusterDescription.Voter voter : cluster.voters()) {
                voters.add(Json.object("id", voter.nodeId(), "lag", voter.lag(), "leader",
                        voter.nodeId() == cluster.controllerId()));
            }
            List<Object> brokers = new ArrayList<>();
            for (ClusterDescription.Broker broker : cluster.brokers()) {
                brokers.add(Json.object("id", broker.id(), "host", broker.host(), "port", broker.port(), "rack",
                        broker.rack(), "alive", broker.alive(), "fenced", broker.fenced(), "inControlledShutdown",
                        broker.inControlledShutdown()));
            }
            return Json.object("clusterId", cluster.clusterId(),
                    "controller", cluster.quorumError().isPresent() ? null
                            : Json.object("id", cluster.controllerId(), "term", cluster.controllerTerm()),
                    "quorumError", cluster.quorumError(), "voters", voters, "brokers", brokers,
                    "underReplicatedPartitions", cluster.underReplicatedPartitions(),
                    "offlinePartitions", cluster.offlinePartitions());
        }
    }
}
