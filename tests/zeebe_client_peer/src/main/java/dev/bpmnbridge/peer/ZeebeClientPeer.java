package dev.bpmnbridge.peer;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.camunda.zeebe.client.ZeebeClient;
import io.camunda.zeebe.client.api.ZeebeFuture;
import io.camunda.zeebe.client.api.command.ClientStatusException;
import io.camunda.zeebe.client.api.response.ActivatedJob;
import io.camunda.zeebe.client.api.response.BrokerInfo;
import io.camunda.zeebe.client.api.response.DeploymentEvent;
import io.camunda.zeebe.client.api.response.PartitionInfo;
import io.camunda.zeebe.client.api.response.ProcessInstanceEvent;
import io.camunda.zeebe.client.api.response.ProcessInstanceResult;
import io.camunda.zeebe.client.api.response.StreamJobsResponse;
import io.camunda.zeebe.client.api.response.Topology;
import io.camunda.zeebe.client.api.worker.JobClient;
import io.camunda.zeebe.client.api.worker.JobWorker;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Drives a Zeebe gateway with the official Java client and prints what the client observed as
 * one JSON line on stdout (the last line). Exit code 0 when the scenario ran to the end, 1 when
 * something the client did not expect happened (the JSON then has an "error" field).
 *
 * <p>Usage: {@code java -jar zeebe-client-peer.jar HOST:PORT peer_order.bpmn peer_stream.bpmn}
 *
 * <p>The peer only reports; the Python test decides what is right, so a wrong answer from the
 * gateway shows up as a readable assertion there instead of a Java stack trace here.
 */
public final class ZeebeClientPeer {

  static final String ORDER = "peer_order";
  static final String STREAM = "peer_stream";
  static final Duration BACKOFF = Duration.ofMillis(300);
  static final long WAIT_SECONDS = 30;

  private final ZeebeClient client;
  private final Map<String, Object> summary = new LinkedHashMap<>();
  // What the worker saw, by orderId; written on the worker's threads.
  private final Map<String, Map<String, Object>> seen = new ConcurrentHashMap<>();
  private final Map<String, List<Long>> activationNanos = new ConcurrentHashMap<>();
  private final CountDownLatch workerEvents = new CountDownLatch(6);

  private ZeebeClientPeer(ZeebeClient client) {
    this.client = client;
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: ZeebeClientPeer HOST:PORT ORDER_BPMN STREAM_BPMN");
      System.exit(2);
    }
    ObjectMapper json = new ObjectMapper();
    int exitCode = 0;
    ZeebeClient client =
        ZeebeClient.newClientBuilder()
            .grpcAddress(URI.create("http://" + args[0]))
            .usePlaintext()
            .defaultRequestTimeout(Duration.ofSeconds(10))
            .build();
    ZeebeClientPeer peer = new ZeebeClientPeer(client);
    try {
      peer.run(args[1], args[2]);
    } catch (Throwable error) {
      error.printStackTrace();
      peer.summary.put("error", error.toString());
      exitCode = 1;
    } finally {
      client.close();
    }
    System.out.println(json.writeValueAsString(peer.summary));
    System.out.flush();
    System.exit(exitCode);
  }

  private void run(String orderBpmn, String streamBpmn) throws Exception {
    summary.put("clientVersion", ZeebeClient.class.getPackage().getImplementationVersion());
    topology();
    deploy(orderBpmn, streamBpmn);
    errorCodes();
    try (JobWorker worker = openWorker()) {
      summary.put("workerOpen", worker.isOpen());
      instances();
    }
    operatorCommands(orderBpmn);
    stream();
  }

  // ------------------------------------------------------------------ topology

  private void topology() {
    Topology topology = client.newTopologyRequest().send().join();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("gatewayVersion", topology.getGatewayVersion());
    out.put("clusterSize", topology.getClusterSize());
    out.put("partitionsCount", topology.getPartitionsCount());
    out.put("replicationFactor", topology.getReplicationFactor());
    List<Map<String, Object>> brokers = new ArrayList<>();
    for (BrokerInfo broker : topology.getBrokers()) {
      Map<String, Object> b = new LinkedHashMap<>();
      b.put("nodeId", broker.getNodeId());
      b.put("address", broker.getAddress());
      b.put("version", broker.getVersion());
      List<Map<String, Object>> partitions = new ArrayList<>();
      for (PartitionInfo partition : broker.getPartitions()) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("partitionId", partition.getPartitionId());
        p.put("leader", partition.isLeader());
        p.put("role", String.valueOf(partition.getRole()));
        p.put("health", String.valueOf(partition.getHealth()));
        partitions.add(p);
      }
      b.put("partitions", partitions);
      brokers.add(b);
    }
    out.put("brokers", brokers);
    summary.put("topology", out);
  }

  // ---------------------------------------------------------------- deployment

  private void deploy(String orderBpmn, String streamBpmn) {
    DeploymentEvent deployment =
        client
            .newDeployResourceCommand()
            .addResourceFile(orderBpmn)
            .addResourceFile(streamBpmn)
            .send()
            .join();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("key", deployment.getKey());
    out.put("tenantId", deployment.getTenantId());
    List<Map<String, Object>> processes = new ArrayList<>();
    deployment
        .getProcesses()
        .forEach(
            process -> {
              Map<String, Object> p = new LinkedHashMap<>();
              p.put("bpmnProcessId", process.getBpmnProcessId());
              p.put("version", process.getVersion());
              p.put("processDefinitionKey", process.getProcessDefinitionKey());
              p.put("resourceName", process.getResourceName());
              p.put("tenantId", process.getTenantId());
              processes.add(p);
            });
    out.put("processes", processes);
    summary.put("deployment", out);
  }

  // --------------------------------------------------------------- error codes

  /** Requests the gateway must refuse, and the status code the client got for each. */
  private void errorCodes() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put(
        "createUnknownProcess",
        statusOf(
            () ->
                client
                    .newCreateInstanceCommand()
                    .bpmnProcessId("no_such_process")
                    .latestVersion()
                    .send()
                    .join()));
    out.put(
        "deployNotBpmn",
        statusOf(
            () ->
                client
                    .newDeployResourceCommand()
                    .addResourceBytes(
                        "this is not BPMN".getBytes(StandardCharsets.UTF_8), "broken.bpmn")
                    .send()
                    .join()));
    out.put(
        "completeUnknownJob",
        statusOf(() -> client.newCompleteCommand(2251799813685249L).send().join()));
    summary.put("errors", out);
  }

  private static String statusOf(Supplier<?> request) {
    try {
      request.get();
      return "OK";
    } catch (ClientStatusException error) {
      return error.getStatusCode().name();
    }
  }

  // --------------------------------------------------------------- job worker

  private JobWorker openWorker() {
    return client
        .newWorker()
        .jobType("peer.charge")
        .handler(this::handle)
        .name("peer-worker")
        .timeout(Duration.ofSeconds(30))
        .streamEnabled(true)
        .open();
  }

  private void handle(JobClient jobs, ActivatedJob job) {
    Map<String, Object> variables = job.getVariablesAsMap();
    String orderId = String.valueOf(variables.get("orderId"));
    String mode = String.valueOf(variables.get("mode"));
    Map<String, Object> record = seen.computeIfAbsent(orderId, k -> new ConcurrentHashMap<>());
    activationNanos.computeIfAbsent(orderId, k -> new ArrayList<>()).add(System.nanoTime());
    record.put("jobKey", job.getKey());
    record.put("worker", job.getWorker());
    record.put("bpmnProcessId", job.getBpmnProcessId());
    record.put("elementId", job.getElementId());
    record.put("processInstanceKey", job.getProcessInstanceKey());
    record.put("customHeaders", job.getCustomHeaders());
    record.put("tenantId", job.getTenantId());
    record.put("deadlineInFuture", job.getDeadline() > System.currentTimeMillis());
    @SuppressWarnings("unchecked")
    List<Integer> retries =
        (List<Integer>) record.computeIfAbsent("retriesSeen", k -> new ArrayList<Integer>());
    retries.add(job.getRetries());
    try {
      switch (mode) {
        case "complete" -> {
          Map<String, Object> result = new LinkedHashMap<>();
          result.put("charged", true);
          result.put("receipt", "R-" + orderId);
          result.put("currency", job.getCustomHeaders().get("currency"));
          jobs.newCompleteCommand(job).variables(result).send().join();
        }
        case "fail" ->
            jobs.newFailCommand(job)
                .retries(job.getRetries() - 1)
                .retryBackoff(BACKOFF)
                .errorMessage("card service down")
                .send()
                .join();
        case "decline" ->
            jobs.newThrowErrorCommand(job)
                .errorCode("CARD_DECLINED")
                .errorMessage("insufficient funds")
                .variables(Map.of("declineReason", "insufficient funds"))
                .send()
                .join();
        case "twice" -> {
          jobs.newCompleteCommand(job).variables(Map.of("charged", true)).send().join();
          // The job is gone now: every further command on it must be NOT_FOUND.
          record.put(
              "secondComplete",
              statusOf(() -> jobs.newCompleteCommand(job.getKey()).send().join()));
          record.put(
              "failAfterComplete",
              statusOf(() -> jobs.newFailCommand(job.getKey()).retries(1).send().join()));
          record.put(
              "throwAfterComplete",
              statusOf(
                  () -> jobs.newThrowErrorCommand(job.getKey()).errorCode("X").send().join()));
        }
        default -> record.put("unexpectedMode", mode);
      }
    } catch (RuntimeException error) {
      record.put("handlerError", error.toString());
    }
    workerEvents.countDown();
  }

  // ---------------------------------------------------------------- instances

  private ProcessInstanceEvent create(String orderId, String mode) {
    return client
        .newCreateInstanceCommand()
        .bpmnProcessId(ORDER)
        .latestVersion()
        .variables(Map.of("orderId", orderId, "mode", mode, "amount", 42))
        .send()
        .join();
  }

  private void instances() throws InterruptedException {
    Map<String, Object> created = new LinkedHashMap<>();
    ProcessInstanceEvent completed = create("A-1", "complete");
    created.put("complete", completed.getProcessInstanceKey());
    created.put("completeVersion", completed.getVersion());
    created.put("completeDefinitionKey", completed.getProcessDefinitionKey());
    created.put("completeTenantId", completed.getTenantId());
    created.put("fail", create("A-3", "fail").getProcessInstanceKey());
    created.put("decline", create("A-4", "decline").getProcessInstanceKey());
    created.put("twice", create("A-5", "twice").getProcessInstanceKey());

    ProcessInstanceResult result =
        client
            .newCreateInstanceCommand()
            .bpmnProcessId(ORDER)
            .latestVersion()
            .variables(Map.of("orderId", "A-2", "mode", "complete", "amount", 7))
            .withResult()
            .requestTimeout(Duration.ofSeconds(WAIT_SECONDS))
            .send()
            .join();
    created.put("withResult", result.getProcessInstanceKey());
    summary.put("withResultVariables", result.getVariablesAsMap());
    summary.put("instances", created);

    summary.put("workerEventsDone", workerEvents.await(WAIT_SECONDS, TimeUnit.SECONDS));
    List<Long> failActivations = activationNanos.getOrDefault("A-3", List.of());
    if (failActivations.size() >= 2) {
      summary.put(
          "backoffGapMillis",
          TimeUnit.NANOSECONDS.toMillis(failActivations.get(1) - failActivations.get(0)));
    }
    summary.put("backoffMillis", BACKOFF.toMillis());
    summary.put("jobs", new LinkedHashMap<>(seen));
  }

  // --------------------------------------------------------- operator commands

  /** What an operator (or Operate) does around an incident, and a redeployment. */
  private void operatorCommands(String orderBpmn) {
    Map<String, Object> out = new LinkedHashMap<>();
    DeploymentEvent again =
        client.newDeployResourceCommand().addResourceFile(orderBpmn).send().join();
    out.put("redeployVersion", again.getProcesses().get(0).getVersion());
    out.put("redeployDefinitionKey", again.getProcesses().get(0).getProcessDefinitionKey());

    long failedInstance = ((Number) seen.get("A-3").get("processInstanceKey")).longValue();
    long failedJob = ((Number) seen.get("A-3").get("jobKey")).longValue();
    out.put(
        "setVariablesOnInstance",
        statusOf(
            () ->
                client
                    .newSetVariablesCommand(failedInstance)
                    .variables(Map.of("operatorNote", "card service restarted"))
                    .send()
                    .join()));
    out.put(
        "updateRetriesOfFailedJob",
        statusOf(() -> client.newUpdateRetriesCommand(failedJob).retries(1).send().join()));
    long completedInstance = ((Number) seen.get("A-1").get("processInstanceKey")).longValue();
    out.put(
        "cancelCompletedInstance",
        statusOf(() -> client.newCancelInstanceCommand(completedInstance).send().join()));
    summary.put("operator", out);
  }

  // ------------------------------------------------------------------- stream

  /**
   * A job only a stream can take (nothing polls "peer.stream"). Opening a stream is not
   * acknowledged to the client, so an instance created before the gateway registered it would
   * wait for a poller forever: cancel it and try again.
   */
  private void stream() throws InterruptedException {
    BlockingQueue<ActivatedJob> received = new LinkedBlockingQueue<>();
    ZeebeFuture<StreamJobsResponse> stream =
        client
            .newStreamJobsCommand()
            .jobType("peer.stream")
            .consumer(received::add)
            .workerName("peer-stream-only")
            .timeout(Duration.ofSeconds(30))
            .send();
    Map<String, Object> out = new LinkedHashMap<>();
    // Usually enough for the gateway to register the stream; the retry below covers the rest.
    Thread.sleep(300);
    try {
      for (int attempt = 1; attempt <= 10; attempt++) {
        long key =
            client
                .newCreateInstanceCommand()
                .bpmnProcessId(STREAM)
                .latestVersion()
                .variables(Map.of("attempt", attempt))
                .send()
                .join()
                .getProcessInstanceKey();
        ActivatedJob job = received.poll(3, TimeUnit.SECONDS);
        if (job == null) {
          client.newCancelInstanceCommand(key).send().join();
          continue;
        }
        out.put("attempts", attempt);
        out.put("processInstanceKey", key);
        out.put("jobInstanceKey", job.getProcessInstanceKey());
        out.put("worker", job.getWorker());
        out.put("variables", job.getVariablesAsMap());
        client.newCompleteCommand(job).variables(Map.of("streamed", true)).send().join();
        break;
      }
    } finally {
      stream.cancel(true);
    }
    summary.put("stream", out);
  }
}
