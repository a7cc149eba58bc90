package io.brook.broker.internal.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.brook.api.internal.controller.AlterConfigOp;
import io.brook.api.internal.controller.AlterConfigsResource;
import io.brook.api.internal.controller.AlterConfigsResourceResult;
import io.brook.api.internal.controller.AlterableConfig;
import io.brook.api.internal.controller.CreatableTopic;
import io.brook.api.internal.controller.CreatableTopicResult;
import io.brook.api.internal.controller.CreatePartitionsTopic;
import io.brook.api.internal.controller.CreatePartitionsTopicResult;
import io.brook.api.internal.controller.DeletableTopicResult;
import io.brook.api.internal.controller.DescribeQuorumResponse;
import io.brook.api.internal.controller.VoterState;
import io.brook.api.internal.metadata.ConfigResourceType;
import io.brook.api.v1.AdminServiceGrpc;
import io.brook.api.v1.AlterConfigEntry;
import io.brook.api.v1.AlterConfigsResourceRequest;
import io.brook.api.v1.AlterConfigsResult;
import io.brook.api.v1.BrokerEndpoint;
import io.brook.api.v1.BrokerState;
import io.brook.api.v1.ConfigEntry;
import io.brook.api.v1.ConfigResourceKind;
import io.brook.api.v1.ConfigResourceRef;
import io.brook.api.v1.ConfigSource;
import io.brook.api.v1.CreatePartitionsRequest;
import io.brook.api.v1.CreatePartitionsResponse;
import io.brook.api.v1.CreatePartitionsResult;
import io.brook.api.v1.CreateTopicResult;
import io.brook.api.v1.CreateTopicsRequest;
import io.brook.api.v1.CreateTopicsResponse;
import io.brook.api.v1.DeleteTopicResult;
import io.brook.api.v1.DeleteTopicsRequest;
import io.brook.api.v1.DeleteTopicsResponse;
import io.brook.api.v1.DescribeClusterRequest;
import io.brook.api.v1.DescribeClusterResponse;
import io.brook.api.v1.DescribeConfigsRequest;
import io.brook.api.v1.DescribeConfigsResult;
import io.brook.api.v1.DescribeTopicsRequest;
import io.brook.api.v1.ErrorCode;
import io.brook.api.v1.IncrementalAlterConfigsRequest;
import io.brook.api.v1.IncrementalAlterConfigsResponse;
import io.brook.api.v1.ListTopicsRequest;
import io.brook.api.v1.NewPartitions;
import io.brook.api.v1.NewTopic;
import io.brook.api.v1.QuorumVoter;
import io.brook.api.v1.TopicListing;
import io.brook.metadata.ConfigResource;
import io.brook.metadata.MetadataImage;
import io.brook.metadata.Uuids;
import io.brook.storage.LogConfig;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The admin service driven through an in-process gRPC server, with a {@link FakeControllerClient}
 * answering for the controller and an {@link ImageBuilder} image standing for the broker's
 * metadata.
 */
class AdminGrpcServiceTest {
    private static final UUID ORDERS = new UUID(1, 1);
    private static final UUID OFFSETS = new UUID(2, 2);

    private final FakeControllerClient controller = new FakeControllerClient();
    private final AtomicReference<Supplier<MetadataImage>> image =
            new AtomicReference<>(() -> MetadataImage.EMPTY);
    private Server server;
    private ManagedChannel channel;
    private AdminServiceGrpc.AdminServiceBlockingStub admin;
    private AdminServiceGrpc.AdminServiceStub asyncAdmin;

    @BeforeEach
    void start() throws IOException {
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name).directExecutor()
                .addService(new AdminGrpcService(controller, () -> image.get().get(), "cluster-x", "PLAINTEXT"))
                .build().start();
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
        admin = AdminServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
        asyncAdmin = AdminServiceGrpc.newStub(channel);
    }

    @AfterEach
    void stop() {
        channel.shutdownNow();
        server.shutdownNow();
    }

    private void useImage(MetadataImage current) {
        image.set(() -> current);
    }

    private static MetadataImage ordersImage() {
        return new ImageBuilder().broker(1).broker(2, "rack-b", true).broker(3).controlledShutdown(3)
                .topic("orders", ORDERS)
                .partition(ORDERS, 0, List.of(1, 3), List.of(1, 3), 1, 0)
                .partition(ORDERS, 1, List.of(2, 1), List.of(1), 1, 3)
                .partition(ORDERS, 2, List.of(2), List.of(2), -1, 5)
                .topic("__consumer_offsets", OFFSETS).partition(OFFSETS, 0, 1)
                .config(ConfigResource.topic("orders"), "retention.ms", "1000")
                .config(ConfigResource.broker(1), "log.retention.check.interval.ms", "5")
                .config(ConfigResource.cluster(), "log.retention.check.interval.ms", "9")
                .config(ConfigResource.cluster(), "num.partitions", "3")
                .build();
    }

    private static io.brook.api.internal.controller.ControllerError controllerError(ErrorCode code, String message) {
        return io.brook.api.internal.controller.ControllerError.newBuilder().setCode(code).setMessage(message)
                .setLeaderHint(-1).build();
    }

    private static final io.brook.api.internal.controller.ControllerError OK = controllerError(ErrorCode.NONE, "");

    private static CreateTopicsRequest createOrdersAndPayments() {
        return CreateTopicsRequest.newBuilder()
                .addTopics(NewTopic.newBuilder().setName("orders").setNumPartitions(3).setReplicationFactor(2)
                        .putConfigs("retention.ms", "1000"))
                .addTopics(NewTopic.newBuilder().setName("payments").setNumPartitions(-1).setReplicationFactor(-1))
                .setValidateOnly(true)
                .build();
    }

    private static ConfigResourceRef ref(ConfigResourceKind kind, String name) {
        return ConfigResourceRef.newBuilder().setKind(kind).setName(name).build();
    }

    // --------------------------------------------------------------------------- forwarded changes

    @Test
    void createTopicsIsTranslatedForTheControllerAndItsPerTopicAnswerComesBack() {
        controller.answerWith(io.brook.api.internal.controller.CreateTopicsResponse.newBuilder().setError(OK)
                .addTopics(CreatableTopicResult.newBuilder().setName("orders").setTopicId(Uuids.toProto(ORDERS))
                        .setErrorCode(ErrorCode.NONE).setNumPartitions(3).setReplicationFactor(2))
                .addTopics(CreatableTopicResult.newBuilder().setName("payments")
                        .setErrorCode(ErrorCode.TOPIC_ALREADY_EXISTS).setErrorMessage("topic payments already exists"))
                .build());

        CreateTopicsResponse response = admin.createTopics(createOrdersAndPayments());

        assertEquals(io.brook.api.internal.controller.CreateTopicsRequest.newBuilder()
                .addTopics(CreatableTopic.newBuilder().setName("orders").setNumPartitions(3).setReplicationFactor(2)
                        .putConfigs("retention.ms", "1000"))
                .addTopics(CreatableTopic.newBuilder().setName("payments").setNumPartitions(-1).setReplicationFactor(-1))
                .setValidateOnly(true)
                .build(), controller.onlyRequest(io.brook.api.internal.controller.CreateTopicsRequest.class));
        assertEquals(CreateTopicsResponse.newBuilder()
                .addTopics(CreateTopicResult.newBuilder().setName("orders").setErrorCode(ErrorCode.NONE)
                        .setTopicId(MetadataResponses.topicId(ORDERS)).setNumPartitions(3).setReplicationFactor(2))
                .addTopics(CreateTopicResult.newBuilder().setName("payments").setErrorCode(ErrorCode.TOPIC_ALREADY_EXISTS)
                        .setErrorMessage("topic payments already exists"))
                .build(), response);
    }

    @Test
    void aTopLevelControllerErrorBecomesEveryTopicsOutcome() {
        controller.answerWith(io.brook.api.internal.controller.CreateTopicsResponse.newBuilder()
                .setError(controllerError(ErrorCode.NOT_CONTROLLER, "no active controller")).build());

        CreateTopicsResponse response = admin.createTopics(createOrdersAndPayments());

        assertEquals(List.of("orders", "payments"), response.getTopicsList().stream().map(CreateTopicResult::getName).toList());
        for (CreateTopicResult topic : response.getTopicsList()) {
            assertEquals(ErrorCode.NOT_CONTROLLER, topic.getErrorCode());
            assertEquals("no active controller", topic.getErrorMessage());
        }
    }

    @Test
    void whenNoControllerAnswersInTimeEveryItemIsTimedOutWithAnUnknownOutcome() {
        TimeoutException timeout = new TimeoutException("no active controller answered within 5000 ms");
        controller.failWith(io.brook.api.internal.controller.CreateTopicsResponse.class, timeout)
                .failWith(io.brook.api.internal.controller.DeleteTopicsResponse.class, timeout)
                .failWith(io.brook.api.internal.controller.CreatePartitionsResponse.class, timeout)
                .failWith(io.brook.api.internal.controller.IncrementalAlterConfigsResponse.class, timeout);

        List<Map.Entry<ErrorCode, String>> outcomes = new java.util.ArrayList<>();
        admin.createTopics(createOrdersAndPayments()).getTopicsList()
                .forEach(t -> outcomes.add(Map.entry(t.getErrorCode(), t.getErrorMessage())));
        admin.deleteTopics(DeleteTopicsRequest.newBuilder().addNames("orders").build()).getTopicsList()
                .forEach(t -> outcomes.add(Map.entry(t.getErrorCode(), t.getErrorMessage())));
        admin.createPartitions(CreatePartitionsRequest.newBuilder()
                        .addTopics(NewPartitions.newBuilder().setTopic("orders").setCount(6)).build()).getTopicsList()
                .forEach(t -> outcomes.add(Map.entry(t.getErrorCode(), t.getErrorMessage())));
        admin.incrementalAlterConfigs(IncrementalAlterConfigsRequest.newBuilder()
                        .addResources(AlterConfigsResourceRequest.newBuilder().setResource(ref(ConfigResourceKind.TOPIC, "orders"))
                                .addEntries(AlterConfigEntry.newBuilder().setName("retention.ms").setValue("1")))
                        .build()).getResultsList()
                .forEach(r -> outcomes.add(Map.entry(r.getErrorCode(), r.getErrorMessage())));

        assertEquals(5, outcomes.size(), "two topics, one topic, one topic, one resource: " + outcomes);
        for (Map.Entry<ErrorCode, String> outcome : outcomes) {
            assertEquals(ErrorCode.REQUEST_TIMED_OUT, outcome.getKey());
            assertTrue(outcome.getValue().contains("unknown"), outcome.getValue());
            assertTrue(outcome.getValue().contains("5000 ms"), "names the cause: " + outcome.getValue());
        }
    }

    @Test
    void answersOnlyOnceTheControllerHasAnswered() throws Exception {
        CompletableFuture<io.brook.api.internal.controller.DeleteTopicsResponse> pending = new CompletableFuture<>();
        controller.answer(io.brook.api.internal.controller.DeleteTopicsResponse.class, pending);
        CompletableFuture<DeleteTopicsResponse> received = new CompletableFuture<>();

        asyncAdmin.deleteTopics(DeleteTopicsRequest.newBuilder().addNames("orders").build(), observer(received));
        assertFalse(received.isDone(), "answered before the controller did");
        pending.complete(io.brook.api.internal.controller.DeleteTopicsResponse.newBuilder().setError(OK)
                .addTopics(DeletableTopicResult.newBuilder().setName("orders").setErrorCode(ErrorCode.NONE))
                .build());

        assertEquals(ErrorCode.NONE, received.get(30, TimeUnit.SECONDS).getTopics(0).getErrorCode());
    }

    @Test
    void deleteTopicsPassesCodesThroughAndATopicTheControllerDidNotMentionIsAnUnknownServerError() {
        controller.answerWith(io.brook.api.internal.controller.DeleteTopicsResponse.newBuilder().setError(OK)
                .addTopics(DeletableTopicResult.newBuilder().setName("orders").setErrorCode(ErrorCode.NONE))
                .addTopics(DeletableTopicResult.newBuilder().setName("gone")
                        .setErrorCode(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION).setErrorMessage("topic gone does not exist"))
                .build());

        DeleteTopicsResponse response = admin.deleteTopics(
                DeleteTopicsRequest.newBuilder().addNames("orders").addNames("gone").addNames("forgotten").build());

        assertEquals(List.of("orders", "gone", "forgotten"),
                controller.onlyRequest(io.brook.api.internal.controller.DeleteTopicsRequest.class).getNamesList());
        assertEquals(List.of(
                DeleteTopicResult.newBuilder().setName("orders").setErrorCode(ErrorCode.NONE).build(),
                DeleteTopicResult.newBuilder().setName("gone").setErrorCode(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)
                        .setErrorMessage("topic gone does not exist").build()),
                response.getTopicsList().subList(0, 2));
        assertEquals("forgotten", response.getTopics(2).getName());
        assertEquals(ErrorCode.UNKNOWN_SERVER_ERROR, response.getTopics(2).getErrorCode());
    }

    @Test
    void createPartitionsIsTranslatedBothWays() {
        controller.answerWith(io.brook.api.internal.controller.CreatePartitionsResponse.newBuilder().setError(OK)
                .addTopics(CreatePartitionsTopicResult.newBuilder().setName("orders").setErrorCode(ErrorCode.INVALID_PARTITIONS)
                        .setErrorMessage("topic orders has 3 partitions; the count can only grow"))
                .build());

        CreatePartitionsResponse response = admin.createPartitions(CreatePartitionsRequest.newBuilder()
                .addTopics(NewPartitions.newBuilder().setTopic("orders").setCount(2)).setValidateOnly(true).build());

        assertEquals(io.brook.api.internal.controller.CreatePartitionsRequest.newBuilder()
                .addTopics(CreatePartitionsTopic.newBuilder().setName("orders").setCount(2)).setValidateOnly(true).build(),
                controller.onlyRequest(io.brook.api.internal.controller.CreatePartitionsRequest.class));
        assertEquals(CreatePartitionsResponse.newBuilder().addTopics(CreatePartitionsResult.newBuilder().setTopic("orders")
                .setErrorCode(ErrorCode.INVALID_PARTITIONS)
                .setErrorMessage("topic orders has 3 partitions; the count can only grow")).build(), response);
    }

    @Test
    void alterConfigsMapsTopicBrokerAndClusterResourcesBothWays() {
        controller.answerWith(io.brook.api.internal.controller.IncrementalAlterConfigsResponse.newBuilder().setError(OK)
                .addResources(AlterConfigsResourceResult.newBuilder()
                        .setResourceType(ConfigResourceType.CONFIG_RESOURCE_TOPIC).setResourceName("orders")
                        .setErrorCode(ErrorCode.NONE))
                .addResources(AlterConfigsResourceResult.newBuilder()
                        .setResourceType(ConfigResourceType.CONFIG_RESOURCE_BROKER).setResourceName("1")
                        .setErrorCode(ErrorCode.INVALID_CONFIG).setErrorMessage("unknown config 'x' for broker 1"))
                .addResources(AlterConfigsResourceResult.newBuilder()
                        .setResourceType(ConfigResourceType.CONFIG_RESOURCE_CLUSTER).setResourceName("")
                        .setErrorCode(ErrorCode.NONE))
                .build());

        IncrementalAlterConfigsResponse response = admin.incrementalAlterConfigs(IncrementalAlterConfigsRequest.newBuilder()
                .addResources(AlterConfigsResourceRequest.newBuilder().setResource(ref(ConfigResourceKind.TOPIC, "orders"))
                        .addEntries(AlterConfigEntry.newBuilder().setName("retention.ms").setValue("1000"))
                        .addEntries(AlterConfigEntry.newBuilder().setName("cleanup.policy").setOp(AlterConfigEntry.Op.DELETE)))
                .addResources(AlterConfigsResourceRequest.newBuilder().setResource(ref(ConfigResourceKind.BROKER, "1"))
                        .addEntries(AlterConfigEntry.newBuilder().setName("x").setValue("1")))
                .addResources(AlterConfigsResourceRequest.newBuilder().setResource(ref(ConfigResourceKind.BROKER, ""))
                        .addEntries(AlterConfigEntry.newBuilder().setName("num.partitions").setValue("3")))
                .setValidateOnly(true)
                .build());

        assertEquals(io.brook.api.internal.controller.IncrementalAlterConfigsRequest.newBuilder()
                .addResources(AlterConfigsResource.newBuilder().setResourceType(ConfigResourceType.CONFIG_RESOURCE_TOPIC)
                        .setResourceName("orders")
                        .addConfigs(AlterableConfig.newBuilder().setName("retention.ms").setOp(AlterConfigOp.ALTER_CONFIG_SET)
                                .setValue("1000"))
                        .addConfigs(AlterableConfig.newBuilder().setName("cleanup.policy")
                                .setOp(AlterConfigOp.ALTER_CONFIG_DELETE)))
                .addResources(AlterConfigsResource.newBuilder().setResourceType(ConfigResourceType.CONFIG_RESOURCE_BROKER)
                        .setResourceName("1")
                        .addConfigs(AlterableConfig.newBuilder().setName("x").setValue("1")))
                .addResources(AlterConfigsResource.newBuilder().setResourceType(ConfigResourceType.CONFIG_RESOURCE_CLUSTER)
                        .setResourceName("")
                        .addConfigs(AlterableConfig.newBuilder().setName("num.partitions").setValue("3")))
                .setValidateOnly(true)
                .build(), controller.onlyRequest(io.brook.api.internal.controller.IncrementalAlterConfigsRequest.class));
        assertEquals(List.of(
                AlterConfigsResult.newBuilder().setResource(ref(ConfigResourceKind.TOPIC, "orders"))
                        .setErrorCode(ErrorCode.NONE).build(),
                AlterConfigsResult.newBuilder().setResource(ref(ConfigResourceKind.BROKER, "1"))
                        .setErrorCode(ErrorCode.INVALID_CONFIG).setErrorMessage("unknown config 'x' for broker 1").build(),
                AlterConfigsResult.newBuilder().setResource(ref(ConfigResourceKind.BROKER, ""))
                        .setErrorCode(ErrorCode.NONE).build()),
                response.getResultsList());
    }

    @Test
    void anAlterConfigOperationThisBrokerDoesNotKnowIsRefusedWithoutAskingTheController() {
        IncrementalAlterConfigsResponse response = admin.incrementalAlterConfigs(IncrementalAlterConfigsRequest.newBuilder()
                .addResources(AlterConfigsResourceRequest.newBuilder().setResource(ref(ConfigResourceKind.TOPIC, "orders"))
                        .addEntries(AlterConfigEntry.newBuilder().setName("retention.ms").setOpValue(7)))
                .build());

        assertEquals(List.of(), controller.requests());
        assertEquals(ErrorCode.INVALID_REQUEST, response.getResults(0).getErrorCode());
        assertTrue(response.getResults(0).getErrorMessage().contains("retention.ms"), response.getResults(0).getErrorMessage());
    }

    @Test
    void aControllerClientThatThrowsGivesEveryItemAnUnknownServerError() {
        controller.throwOnCall(io.brook.api.internal.controller.CreateTopicsResponse.class,
                new IllegalStateException("client closed"));

        CreateTopicsResponse response = admin.createTopics(createOrdersAndPayments());

        assertEquals(2, response.getTopicsCount());
        for (CreateTopicResult topic : response.getTopicsList()) {
            assertEquals(ErrorCode.UNKNOWN_SERVER_ERROR, topic.getErrorCode());
            assertTrue(topic.getErrorMessage().contains("client closed"), topic.getErrorMessage());
        }
    }

    // ---------------------------------------------------------------------------- from the image

    @Test
    void listAndDescribeTopicsAnswerFromTheImage() {
        MetadataImage current = ordersImage();
        useImage(current);

        assertEquals(List.of("orders"), admin.listTopics(ListTopicsRequest.getDefaultInstance()).getTopicsList()
                .stream().map(TopicListing::getName).toList());
        assertEquals(MetadataResponses.topicListings(current, true),
                admin.listTopics(ListTopicsRequest.newBuilder().setIncludeInternal(true).build()).getTopicsList());
        var described = admin.describeTopics(DescribeTopicsRequest.newBuilder().addNames("orders").addNames("nope").build());
        assertEquals(MetadataResponses.topicDescriptions(current, List.of("orders", "nope")), described.getTopicsList());
        assertEquals(Map.of("retention.ms", "1000"), described.getTopics(0).getConfigsMap());
        assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, described.getTopics(1).getMetadata().getErrorCode());
        assertEquals(List.of(), controller.requests(), "descriptions never ask the controller");
    }

    @Test
    void describeConfigsOfATopicGivesItsOwnEntriesAsDynamicAndTheOtherKeysAsDefaults() {
        useImage(ordersImage());

        DescribeConfigsResult all = admin.describeConfigs(DescribeConfigsRequest.newBuilder()
                .addResources(ref(ConfigResourceKind.TOPIC, "orders")).build()).getResults(0);
        DescribeConfigsResult some = admin.describeConfigs(DescribeConfigsRequest.newBuilder()
                .addResources(ref(ConfigResourceKind.TOPIC, "orders"))
                .addKeys("retention.ms").addKeys("segment.bytes").addKeys("no.such.key")
                .setIncludeDocumentation(true).build()).getResults(0);

        assertEquals(ErrorCode.NONE, all.getErrorCode());
        assertEquals(io.brook.broker.NodeConfig.TOPIC_DEFINITIONS.keys().size(), all.getEntriesCount());
        assertEquals(List.of(
                ConfigEntry.newBuilder().setName("retention.ms").setValue("1000").setSource(ConfigSource.DYNAMIC)
                        .setDocumentation(LogConfig.RETENTION_MS.doc()).build(),
                ConfigEntry.newBuilder().setName("segment.bytes")
                        .setValue(String.valueOf(LogConfig.SEGMENT_BYTES.defaultValue())).setSource(ConfigSource.DEFAULT)
                        .setDocumentation(LogConfig.SEGMENT_BYTES.doc()).build()),
                some.getEntriesList());
        ConfigEntry cleanup = all.getEntriesList().stream().filter(e -> e.getName().equals("cleanup.policy")).findFirst()
                .orElseThrow();
        assertEquals("delete", cleanup.getValue(), "a list default is written as in a properties file");
        assertEquals("", cleanup.getDocumentation(), "no documentation unless asked for");
    }

    @Test
    void describeConfigsOfAnUnknownTopicOrAMalformedBrokerNameIsAnError() {
        useImage(ordersImage());

        List<DescribeConfigsResult> results = admin.describeConfigs(DescribeConfigsRequest.newBuilder()
                .addResources(ref(ConfigResourceKind.TOPIC, "nope"))
                .addResources(ref(ConfigResourceKind.BROKER, "one"))
                .addResources(ref(ConfigResourceKind.CONFIG_RESOURCE_KIND_UNKNOWN, "x"))
                .build()).getResultsList();

        assertEquals(List.of(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST),
                results.stream().map(DescribeConfigsResult::getErrorCode).toList());
        assertTrue(results.get(0).getErrorMessage().contains("nope"), results.get(0).getErrorMessage());
        assertEquals(ref(ConfigResourceKind.BROKER, "one"), results.get(1).getResource());
    }

    @Test
    void describeConfigsOfABrokerGivesItsDynamicEntriesOverTheClusterDefaults() {
        useImage(ordersImage());

        List<DescribeConfigsResult> results = admin.describeConfigs(DescribeConfigsRequest.newBuilder()
                .addResources(ref(ConfigResourceKind.BROKER, "1"))
                .addResources(ref(ConfigResourceKind.BROKER, ""))
                .build()).getResultsList();

        assertEquals(List.of(
                ConfigEntry.newBuilder().setName("log.retention.check.interval.ms").setValue("5")
                        .setSource(ConfigSource.DYNAMIC).build(),
                ConfigEntry.newBuilder().setName("num.partitions").setValue("3")
                        .setSource(ConfigSource.DYNAMIC_DEFAULT).build()),
                results.get(0).getEntriesList());
        assertEquals(List.of(
                ConfigEntry.newBuilder().setName("log.retention.check.interval.ms").setValue("9")
                        .setSource(ConfigSource.DYNAMIC_DEFAULT).build(),
                ConfigEntry.newBuilder().setName("num.partitions").setValue("3")
                        .setSource(ConfigSource.DYNAMIC_DEFAULT).build()),
                results.get(1).getEntriesList());
    }

    @Test
    void describeClusterCombinesTheImageWithTheQuorum() {
        useImage(ordersImage());
        controller.answerWith(DescribeQuorumResponse.newBuilder().setError(OK).setLeaderId(12).setTerm(7)
                .addVoters(VoterState.newBuilder().setNodeId(13).setLag(4))
                .addVoters(VoterState.newBuilder().setNodeId(11).setLag(0))
                .addVoters(VoterState.newBuilder().setNodeId(12).setLag(0))
                .build());

        DescribeClusterResponse response = admin.describeCluster(DescribeClusterRequest.getDefaultInstance());

        assertEquals(DescribeClusterResponse.newBuilder()
                .setErrorCode(ErrorCode.NONE)
                .setClusterId("cluster-x")
                .setControllerId(12)
                .setControllerTerm(7)
                .addVoters(QuorumVoter.newBuilder().setNodeId(11).setLag(0))
                .addVoters(QuorumVoter.newBuilder().setNodeId(12).setLag(0))
                .addVoters(QuorumVoter.newBuilder().setNodeId(13).setLag(4))
                .addBrokers(BrokerState.newBuilder().setEndpoint(BrokerEndpoint.newBuilder().setBrokerId(1)
                        .setHost("broker-1").setPort(9092)))
                .addBrokers(BrokerState.newBuilder().setEndpoint(BrokerEndpoint.newBuilder().setBrokerId(2)
                        .setHost("broker-2").setPort(9092).setRack("rack-b")).setFenced(true))
                .addBrokers(BrokerState.newBuilder().setEndpoint(BrokerEndpoint.newBuilder().setBrokerId(3)
                        .setHost("broker-3").setPort(9092)).setInControlledShutdown(true))
                .setUnderReplicatedPartitions(1)
                .setOfflinePartitions(1)
                .build(), response);
    }

    @Test
    void describeClusterStillGivesTheImagesPartWhenTheQuorumDoesNotAnswer() {
        useImage(ordersImage());
        controller.failWith(DescribeQuorumResponse.class, new TimeoutException("no active controller answered"));

        DescribeClusterResponse response = admin.describeCluster(DescribeClusterRequest.getDefaultInstance());

        assertEquals(ErrorCode.REQUEST_TIMED_OUT, response.getErrorCode());
        assertTrue(response.getErrorMessage().contains("no active controller answered"), response.getErrorMessage());
        assertEquals(-1, response.getControllerId());
        assertEquals(0, response.getVotersCount());
        assertEquals(3, response.getBrokersCount());
        assertEquals(1, response.getOfflinePartitions());
        assertEquals("cluster-x", response.getClusterId());
    }

    @Test
    void anUnexpectedFailureReadingTheImageEndsTheCallWithInternalRatherThanNoAnswer() {
        image.set(() -> {
            throw new IllegalStateException("image not ready");
        });

        StatusRuntimeException failure = assertThrows(StatusRuntimeException.class,
                () -> admin.listTopics(ListTopicsRequest.getDefaultInstance()));

        assertEquals(Status.Code.INTERNAL, failure.getStatus().getCode());
        assertTrue(failure.getStatus().getDescription().contains("image not ready"), failure.getStatus().toString());
    }

    private static <T> StreamObserver<T> observer(CompletableFuture<T> into) {
        return new StreamObserver<>() {
            @Override
            public void onNext(T value) {
                if (!into.complete(value)) {
                    into.obtrudeException(new AssertionError("a second answer: " + value));
                }
            }

            @Override
            public void onError(Throwable t) {
                into.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
                if (!into.isDone()) {
                    into.completeExceptionally(new AssertionError("completed without an answer"));
                }
            }
        };
    }
}
