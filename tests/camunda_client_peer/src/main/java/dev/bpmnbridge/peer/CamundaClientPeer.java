package dev.bpmnbridge.peer;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.camunda.client.CamundaClient;
import io.camunda.client.api.command.ClientHttpException;
import io.camunda.client.api.command.ProblemException;
import io.camunda.client.api.response.ActivatedJob;
import io.camunda.client.api.response.BrokerInfo;
import io.camunda.client.api.response.DeploymentEvent;
import io.camunda.client.api.response.Process;
import io.camunda.client.api.response.ProcessInstanceResult;
import io.camunda.client.api.response.Topology;
import io.camunda.client.api.worker.JobClient;
import io.camunda.client.api.worker.JobWorker;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Drives an Orchestration Cluster REST API (/v2) with the official Camunda Java client and
 * prints what it observed as one JSON line. Arguments: REST root URL, BPMN file.
 *
 * <p>The gRPC address points at a closed port: a command that went over gRPC would fail, so
 * everything reported here went over REST.
 */
public final class CamundaClientPeer {
  private static final ObjectMapper JSON = new ObjectMapper();

  public static void main(String[] args) throws Exception {
    Map<String, Object> out = new LinkedHashMap<>();
    int exit = 0;
    try (CamundaClient client =
        CamundaClient.newClientBuilder()
            .applyEnvironmentVariableOverrides(false)
            .restAddress(URI.create(args[0]))
            .grpcAddress(URI.create("http://127.0.0.1:1"))
            .preferRestOverGrpc(true)
            .defaultRequestTimeout(Duration.ofSeconds(20))
            .build()) {
      run(client, args[1], out);
    } catch (Throwable error) {
      out.put("error", error.getClass().getName() + ": " + error.getMessage());
      exit = 1;
    }
    System.out.println(JSON.writeValueAsString(out));
    System.out.flush();
    System.exit(exit);
  }

  private static void run(CamundaClient client, String bpmn, Map<String, Object> out)
      throws Exception {
    Topology topology = client.newTopologyRequest().send().join(30, TimeUnit.SECONDS);
    List<Map<String, Object>> brokers = new ArrayList<>();
    for (BrokerInfo broker : topology.getBrokers()) {
      brokers.add(Map.of("nodeId", broker.getNodeId(), "partitions", broker.getPartitions().size()));
    }
    out.put(
        "topology",
        Map.of(
            "clusterSize", topology.getClusterSize(),
            "partitionsCount", topology.getPartitionsCount(),
            "gatewayVersion", topology.getGatewayVersion(),
            "brokers", brokers));

    DeploymentEvent deployment =
        client.newDeployResourceCommand().addResourceFile(bpmn).send().join(30, TimeUnit.SECONDS);
    List<Map<String, Object>> processes = new ArrayList<>();
    for (Process process : deployment.getProcesses()) {
      processes.add(
          Map.of(
              "bpmnProcessId", process.getBpmnProcessId(),
              "version", process.getVersion(),
              "key", process.getProcessDefinitionKey()));
    }
    out.put("deployment", Map.of("key", deployment.getKey(), "processes", processes));

    // an unknown job: the client must see the API's 404 ProblemDetail
    try {
      client.newCompleteCommand(1L).send().join(30, TimeUnit.SECONDS);
      out.put("unknownJob", "accepted");
    } catch (ProblemException problem) {
      out.put(
          "unknownJob",
          Map.of("status", problem.code(), "title", String.valueOf(problem.details().getTitle())));
    }

    String[] modes = {"complete", "fail", "throw"};
    Map<String, Long> instances = new LinkedHashMap<>();
    Map<String, List<Integer>> retriesSeen = new ConcurrentHashMap<>();
    List<String> handled = new CopyOnWriteArrayList<>();
    CountDownLatch done = new CountDownLatch(4); // complete, fail x2 (retries 2, 1), throw
    JobWorker worker =
        client
            .newWorker()
            .jobType("peer.charge")
            .handler(
                (JobClient jobs, ActivatedJob job) -> {
                  String mode = (String) job.getVariablesAsMap().get("mode");
                  retriesSeen
                      .computeIfAbsent(mode, m -> new CopyOnWriteArrayList<>())
                      .add(job.getRetries());
                  handled.add(mode + ":" + job.getCustomHeaders().get("currency"));
                  switch (mode) {
                    case "complete" ->
                        jobs.newCompleteCommand(job)
                            .variables(Map.of("charged", true))
                            .send()
                            .join(30, TimeUnit.SECONDS);
                    case "fail" ->
                        jobs.newFailCommand(job)
                            .retries(job.getRetries() - 1)
                            .retryBackoff(Duration.ofMillis(300))
                            .errorMessage("card reader offline")
                            .send()
                            .join(30, TimeUnit.SECONDS);
                    default ->
                        jobs.newThrowErrorCommand(job)
                            .errorCode("CARD_DECLINED")
                            .errorMessage("declined by the bank")
                            .variables(Map.of("declined", true))
                            .send()
                            .join(30, TimeUnit.SECONDS);
                  }
                  done.countDown();
                })
            .timeout(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(100))
            .requestTimeout(Duration.ofSeconds(2))
            .streamEnabled(false)
            .open();
    try {
      for (String mode : modes) {
        long key =
            client
                .newCreateInstanceCommand()
                .bpmnProcessId("peer_order")
                .latestVersion()
                .variables(Map.of("mode", mode))
                .send()
                .join(30, TimeUnit.SECONDS)
                .getProcessInstanceKey();
        instances.put(mode, key);
      }
      if (!done.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the worker did not get every job: " + handled);
      }
      ProcessInstanceResult result =
          client
              .newCreateInstanceCommand()
              .bpmnProcessId("peer_order")
              .latestVersion()
              .variables(Map.of("mode", "complete", "orderId", "R1"))
              .withResult()
              .requestTimeout(Duration.ofSeconds(20))
              .send()
              .join(30, TimeUnit.SECONDS);
      out.put(
          "withResult",
          Map.of(
              "processInstanceKey", result.getProcessInstanceKey(),
              "variables", result.getVariablesAsMap()));
    } finally {
      worker.close();
    }
    out.put("instances", instances);
    out.put("retriesSeen", retriesSeen);
  }

  private CamundaClientPeer() {}
}
