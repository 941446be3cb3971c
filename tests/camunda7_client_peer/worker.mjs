// One scenario driven by Camunda's official JavaScript external-task client, against any
// Camunda 7 REST API: node worker.mjs BASE_URL TOPIC TASKS.
// Serves TOPIC until TASKS tasks are settled; what a task does is its "mode" variable:
//   complete  - extendLock, then complete with {doubled: amount * 2, by: "js"}, typed values
//               (long, double, date, json, null) and a local variable
//   fail      - first delivery: handleFailure (retries 1, no backoff); second: complete
//   unlock    - first delivery: unlock; second: complete
//   reject    - handleBpmnError NEGATIVE with {reason: "declined"}
// Prints one JSON line: {"settled": [...], "errors": [...]}; exits 1 on any client error
// or when TASKS tasks are not settled within 60 s.
import { Client, Variables } from "camunda-external-task-client-js";

const [baseUrl, topic, wanted] = process.argv.slice(2);
const total = Number(wanted);
const settled = [];
const errors = [];
const seen = new Map();

const client = new Client({
  baseUrl,
  workerId: "official-js-client",
  asyncResponseTimeout: 1000,
  interval: 50,
  maxTasks: 4,
  lockDuration: 20000,
  autoPoll: false,
});

// The client reports every engine or transport failure as an event; any of them fails the run.
for (const event of [
  "poll:error",
  "complete:error",
  "handleFailure:error",
  "handleBpmnError:error",
  "extendLock:error",
  "unlock:error",
]) {
  client.on(event, (...args) => {
    const error = args[args.length - 1];
    errors.push(`${event}: ${error && error.message ? error.message : String(error)}`);
  });
}

function finish(code) {
  client.stop();
  process.stdout.write(JSON.stringify({ settled, errors }) + "\n");
  process.exit(code);
}

// a variables filter: "hidden" is never fetched
const fetched = ["mode", "amount", "flag", "ratio", "when", "doc", "nothing"];
client.subscribe(topic, { variables: fetched }, async ({ task, taskService }) => {
  const mode = task.variables.get("mode");
  const amount = task.variables.get("amount");
  const delivery = (seen.get(task.id) || 0) + 1;
  seen.set(task.id, delivery);
  const record = {
    mode,
    delivery,
    businessKey: task.businessKey,
    retries: task.retries,
    amountType: typeof amount,
    topicName: task.topicName,
    typed: Object.fromEntries(
      Object.entries(task.variables.getAllTyped()).map(([name, typed]) => [
        name,
        [typed.type, typed.value instanceof Date ? typed.value.getTime() : typed.value],
      ]),
    ),
  };
  if (mode === "fail" && delivery === 1) {
    await taskService.handleFailure(task, {
      errorMessage: "first try fails",
      errorDetails: "details of the first failure",
      retries: 1,
      retryTimeout: 0,
    });
    return;
  }
  if (mode === "unlock" && delivery === 1) {
    await taskService.unlock(task);
    return;
  }
  if (mode === "reject") {
    await taskService.handleBpmnError(
      task,
      "NEGATIVE",
      "declined by the JS client",
      new Variables().set("reason", "declined"),
    );
  } else {
    await taskService.extendLock(task, 30000);
    const out = new Variables().setAll({ doubled: amount * 2, by: "js" });
    if (mode === "complete") {
      out
        .setTyped("outLong", { type: "long", value: 1234567890123, valueInfo: {} })
        .setTyped("outDouble", { type: "double", value: 2.5, valueInfo: {} })
        .setTyped("outDate", { type: "date", value: new Date(1700000000123), valueInfo: {} })
        .setTyped("outJson", { type: "json", value: { a: [1, 2] }, valueInfo: {} })
        .setTyped("outNull", { type: "null", value: null, valueInfo: {} });
    }
    await taskService.complete(task, out, new Variables().set("outLocal", "only-local"));
  }
  settled.push(record);
  if (settled.length >= total) finish(errors.length ? 1 : 0);
});

setTimeout(() => {
  errors.push(`timeout: ${settled.length} of ${total} tasks settled in 60 s`);
  finish(1);
}, 60000).unref();
setInterval(() => {
  if (errors.length) finish(1);
}, 200);
client.start();
