package dev.bpmnbridge.peer;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.camunda.bpm.client.ExternalTaskClient;
import org.camunda.bpm.client.backoff.ExponentialBackoffStrategy;
import org.camunda.bpm.client.task.ExternalTask;
import org.camunda.bpm.client.task.ExternalTaskService;
import org.camunda.bpm.client.variable.ClientValues;
import org.camunda.bpm.engine.variable.VariableMap;
import org.camunda.bpm.engine.variable.Variables;
import org.camunda.bpm.engine.variable.value.ObjectValue;
import org.camunda.bpm.engine.variable.value.TypedValue;

/**
 * One scenario driven by Camunda's official Java external-task client against any Camunda 7
 * REST API: {@code java -jar peer.jar BASE_URL TOPIC FILTERED_TOPIC TASKS}.
 *
 * <p>TOPIC is served with a variables filter; what a task does is its "mode" variable:
 * typed (read every typed variable, complete with typed and local variables), fail (first
 * delivery handleFailure with retries 1 and a retry timeout, second reads the error back and
 * completes), incident (handleFailure with retries 0), bpmnerror (handleBpmnError with code,
 * message, variables), lock (extendLock then unlock; second delivery setVariables and
 * complete). FILTERED_TOPIC is served for business key "bk-wanted" only, with local variables.
 * Prints one JSON line {"settled": [...], "errors": [...]} and exits 1 on any client error or
 * when TASKS deliveries are not settled within 60 s.
 */
public final class Camunda7JavaClientPeer {
  private static final List<Map<String, Object>> SETTLED =
      Collections.synchronizedList(new ArrayList<>());
  private static final List<String> ERRORS = Collections.synchronizedList(new ArrayList<>());
  private static final Map<String, Integer> DELIVERIES = new ConcurrentHashMap<>();
  private static final String[] FETCHED = {
    "mode", "s", "i", "l", "d", "b", "dt", "json", "obj", "nothing"
  };

  private Camunda7JavaClientPeer() {}

  public static void main(String[] args) throws Exception {
    String baseUrl = args[0];
    String topic = args[1];
    String filteredTopic = args[2];
    int total = Integer.parseInt(args[3]);
    CountDownLatch done = new CountDownLatch(total);

    ExternalTaskClient client =
        ExternalTaskClient.create()
            .baseUrl(baseUrl)
            .workerId("official-java-client")
            .maxTasks(4)
            .asyncResponseTimeout(1000)
            .lockDuration(20000)
            .backoffStrategy(new ExponentialBackoffStrategy(50, 2, 400))
            .build();

    client
        .subscribe(topic)
        .variables(FETCHED)
        .handler(
            (task, service) -> {
              try {
                handle(task, service, done);
              } catch (RuntimeException e) {
                ERRORS.add(task.getVariable("mode") + ": " + e);
                done.countDown();
              }
            })
        .open();
    client
        .subscribe(filteredTopic)
        .businessKey("bk-wanted")
        .localVariables(true)
        .handler(
            (task, service) -> {
              try {
                Map<String, Object> record = record(task, "filtered");
                service.complete(task, Map.of("seenBy", "java"));
                SETTLED.add(record);
              } catch (RuntimeException e) {
                ERRORS.add("filtered: " + e);
              }
              done.countDown();
            })
        .open();

    boolean all = done.await(60, TimeUnit.SECONDS);
    client.stop();
    if (!all) {
      ERRORS.add("timeout: " + SETTLED.size() + " of " + total + " deliveries settled in 60 s");
    }
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("settled", new ArrayList<>(SETTLED));
    summary.put("errors", new ArrayList<>(ERRORS));
    System.out.println(new ObjectMapper().writeValueAsString(summary));
    System.exit(ERRORS.isEmpty() ? 0 : 1);
  }

  private static Map<String, Object> record(ExternalTask task, String mode) {
    int delivery = DELIVERIES.merge(task.getId(), 1, Integer::sum);
    Map<String, Object> record = new LinkedHashMap<>();
    record.put("mode", mode);
    record.put("delivery", delivery);
    record.put("businessKey", task.getBusinessKey());
    record.put("topicName", task.getTopicName());
    record.put("workerId", task.getWorkerId());
    record.put("retries", task.getRetries());
    record.put("errorMessage", task.getErrorMessage());
    record.put("errorDetails", task.getErrorDetails());
    record.put("hasLockExpiration", task.getLockExpirationTime() != null);
    Map<String, List<Object>> variables = new TreeMap<>();
    VariableMap typed = task.getAllVariablesTyped(true);
    for (String name : typed.keySet()) {
      TypedValue value = typed.getValueTyped(name);
      variables.put(name, List.of(value.getType().getName(), describe(value)));
    }
    record.put("variables", variables);
    return record;
  }

  private static String describe(TypedValue value) {
    Object raw = value.getValue();
    if (value instanceof ObjectValue object) {
      return object.getObjectTypeName() + " " + object.getSerializationDataFormat() + " " + raw;
    }
    if (raw instanceof Date date) {
      return Long.toString(date.getTime());
    }
    return String.valueOf(raw);
  }

  private static void handle(ExternalTask task, ExternalTaskService service, CountDownLatch done) {
    String mode = task.getVariable("mode");
    Map<String, Object> record = record(task, mode);
    int delivery = (Integer) record.get("delivery");
    switch (mode) {
      case "typed" -> {
        Map<String, Object> out = new HashMap<>();
        out.put("out_s", Variables.stringValue("text"));
        out.put("out_i", Variables.integerValue(42));
        out.put("out_l", Variables.longValue(9007199254740993L));
        out.put("out_d", Variables.doubleValue(2.5));
        out.put("out_b", Variables.booleanValue(true));
        out.put("out_dt", Variables.dateValue(new Date(1700000000123L)));
        out.put("out_json", ClientValues.jsonValue("{\"a\":[1,2]}"));
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("k", "v");
        payload.put("n", 3);
        out.put(
            "out_obj", Variables.objectValue(payload).serializationDataFormat("application/json"));
        out.put("out_null", null);
        service.complete(task, out, Map.of("out_local", "only-local"));
      }
      case "fail" -> {
        if (delivery == 1) {
          service.handleFailure(task, "first try fails", "details of the first failure", 1, 500);
          done.countDown();
          SETTLED.add(record);
          return;
        }
        service.complete(task, Map.of("recovered", true));
      }
      case "incident" -> service.handleFailure(task, "gave up", "why it gave up", 0, 0);
      case "bpmnerror" ->
          service.handleBpmnError(
              task,
              "NEGATIVE",
              "declined by the Java client",
              Map.of("reason", "declined", "score", Variables.longValue(7L)));
      case "lock" -> {
        if (delivery == 1) {
          service.extendLock(task, 60000);
          service.unlock(task);
          done.countDown();
          SETTLED.add(record);
          return;
        }
        service.setVariables(task, Map.of("set_s", "set", "set_i", 5));
        service.complete(task);
      }
      default -> throw new IllegalStateException("unknown mode " + mode);
    }
    SETTLED.add(record);
    done.countDown();
  }
}
