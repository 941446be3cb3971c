// One scenario driven by Camunda's official Node.js SDK (@camunda8/sdk, its ZeebeGrpcClient)
// against a Zeebe gateway: node peer.mjs HOST:PORT ORDER_BPMN.
// Deploys ORDER_BPMN (peer_order: service task peer.charge, retries 2, CARD_DECLINED boundary),
// starts one instance per mode and serves peer.charge with a worker:
//   complete - complete with {charged: true, receipt}
//   fail     - fail with retries - 1 and a 300 ms backoff until the incident
//   decline  - throw CARD_DECLINED with {declineReason}
// plus createProcessInstanceWithResult (mode complete), publishMessage and refused requests.
// Prints one JSON line; exits 1 with an "error" field on anything unexpected.
import { Camunda8 } from "@camunda8/sdk";

const [address, orderBpmn] = process.argv.slice(2);
const out = { jobs: {}, refused: {} };

const c8 = new Camunda8({
  ZEEBE_GRPC_ADDRESS: `grpc://${address}`,
  CAMUNDA_AUTH_STRATEGY: "NONE",
  zeebeGrpcSettings: { ZEEBE_CLIENT_LOG_LEVEL: "NONE" },
});
const zeebe = c8.getZeebeGrpcApiClient();

async function refusal(name, call) {
  try {
    await call();
    out.refused[name] = "OK";
  } catch (error) {
    out.refused[name] = error.code ?? String(error);
  }
}

function finish(code, error) {
  if (error) out.error = String(error && error.stack ? error.stack : error);
  process.stdout.write(JSON.stringify(out) + "\n");
  process.exit(code);
}
setTimeout(() => finish(1, "timeout: the scenario did not finish in 60 s"), 60000).unref();

try {
  const topology = await zeebe.topology();
  out.topology = {
    clusterSize: topology.clusterSize,
    partitionsCount: topology.partitionsCount,
    brokers: topology.brokers.length,
  };
  const deployed = await zeebe.deployResource({ processFilename: orderBpmn });
  out.deployment = deployed.deployments.map((d) => ({
    bpmnProcessId: d.process.bpmnProcessId,
    version: d.process.version,
    key: String(d.process.processDefinitionKey),
    tenantId: d.process.tenantId,
  }));

  const instances = {};
  for (const mode of ["complete", "fail", "decline"]) {
    const created = await zeebe.createProcessInstance({
      bpmnProcessId: "peer_order",
      variables: { orderId: `N-${mode}`, mode, amount: 7 },
    });
    instances[mode] = String(created.processInstanceKey);
  }
  out.instances = instances;

  const settled = new Set();
  let resolveAll;
  const allSettled = new Promise((resolve) => (resolveAll = resolve));
  const worker = zeebe.createWorker({
    taskType: "peer.charge",
    id: "sdk-worker",
    maxJobsToActivate: 4,
    timeout: 20000,
    pollInterval: 100,
    taskHandler: async (job) => {
      const id = job.variables.orderId;
      const seen = (out.jobs[id] ??= {
        worker: job.worker,
        bpmnProcessId: job.bpmnProcessId,
        elementId: job.elementId,
        customHeaders: job.customHeaders,
        tenantId: job.tenantId,
        retriesSeen: [],
        seenAt: [],
        deadlineInFuture: Number(job.deadline) > Date.now(),
      });
      seen.retriesSeen.push(job.retries);
      seen.seenAt.push(Date.now());
      const mode = job.variables.mode;
      let ack;
      if (mode === "fail") {
        ack = await job.fail({
          errorMessage: "card service down",
          retries: job.retries - 1,
          retryBackOff: 300,
        });
        if (job.retries - 1 > 0) return ack;
      } else if (mode === "decline") {
        ack = await job.error({
          errorCode: "CARD_DECLINED",
          errorMessage: "declined by the SDK",
          variables: { declineReason: "insufficient funds" },
        });
      } else {
        ack = await job.complete({ charged: true, receipt: `R-${id}` });
      }
      if (id !== "N-result") settled.add(id);
      if (settled.size >= 3) resolveAll();
      return ack;
    },
  });

  const withResult = await zeebe.createProcessInstanceWithResult({
    bpmnProcessId: "peer_order",
    variables: { orderId: "N-result", mode: "complete", amount: 3 },
    requestTimeout: 20000,
  });
  out.withResultVariables = withResult.variables;
  await allSettled;
  worker.close();

  await refusal("createUnknownProcess", () =>
    zeebe.createProcessInstance({ bpmnProcessId: "no_such_process", variables: {} }),
  );
  await refusal("completeUnknownJob", () =>
    zeebe.completeJob({ jobKey: "2251799813685249", variables: {} }),
  );
  await refusal("publishMessage", () =>
    zeebe.publishMessage({ name: "paid", correlationKey: "N-1", variables: {}, timeToLive: 1000 }),
  );
  await refusal("cancelCompletedInstance", () => zeebe.cancelProcessInstance(instances.complete));
  await zeebe.close();
  finish(0);
} catch (error) {
  finish(1, error);
}
