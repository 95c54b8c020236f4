// The Kubernetes bridge end to end, without a kube-apiserver: the "cluster" is a Knit in cluster mode
// (`knit start --cluster`, a stand-in Kubernetes API server with CRDs), the serving side another Knit.
// Knative YAML applied to the cluster with kubectl is served by Knit, and the cluster shows its status.

import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFailed } from "vitest";
import { ROOT, startKnit, type KnitHandle } from "./helpers/platform.ts";
import { waitFor } from "./helpers/load.ts";
import { startBridge as startBridgeProcess, stopBridge, type BridgeHandle } from "./helpers/bridge.ts";

let cluster: KnitHandle;
let knit: KnitHandle;
let image: string;
const bridges: BridgeHandle[] = [];

function startBridge(identity: string, opts: { viaSecretFiles?: boolean } = {}): BridgeHandle {
  const b = startBridgeProcess(cluster, knit, identity, opts);
  bridges.push(b);
  return b;
}

function ksvc(name: string, target: string): string {
  return `apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: ${name}
spec:
  template:
    spec:
      containers:
        - image: ${image}
          env:
            - name: TARGET
              value: ${target}
`;
}

const clusterKsvc = (name: string) => {
  const r = cluster.kubectl(["get", "ksvc", name, "-o", "json"]);
  return r.code === 0 ? JSON.parse(r.stdout) : undefined;
};
const readyInCluster = (name: string) =>
  waitFor(`${name} Ready in the cluster`, () => {
    const obj = clusterKsvc(name);
    return obj?.status?.conditions?.some((c: any) => c.type === "Ready" && c.status === "True") ? obj : undefined;
  }, 30_000);

beforeAll(async () => {
  [cluster, knit] = await Promise.all([startKnit({ args: ["--cluster"] }), startKnit()]);
  const crds = cluster.kubectl(["apply", "-f", join(ROOT, "k8s-bridge", "config", "100-knative-crds.yaml")]);
  expect(crds.code, crds.stderr).toBe(0);
  const pushed = knit.knit(["push", join(ROOT, "examples", "hello", "hello.ts"), "--name", "hello-bridge"]);
  expect(pushed.code, pushed.stderr).toBe(0);
  image = pushed.stdout.trim().split("\n").pop()!;
  expect(image).toMatch(/^worker:\/\/hello-bridge@sha256:[0-9a-f]+$/);
}, 120_000);

afterAll(async () => {
  for (const b of bridges) await stopBridge(b);
  await Promise.all([cluster?.stop(), knit?.stop()]);
});

describe("k8s-bridge", () => {
  beforeEach(() => {
    // The bridges' logs say what they wrote: shown when a test fails.
    onTestFailed(() => {
      console.log(bridges.map((b) => b.out()).join("\n---\n"));
      console.log(cluster.kubectl(["get", "ksvc"]).stdout, knit.kubectl(["get", "ksvc"]).stdout);
    });
  });

  it("a Knative Service applied to the cluster is served by Knit, and the cluster shows its URL and Ready", async () => {
    const bridge = startBridge("replica-a");
    expect(cluster.kubectl(["apply", "-f", "-"], ksvc("greeter", "Bridge")).code).toBe(0);
    const obj = await readyInCluster("greeter");
    expect(obj.status.url).toBe("http://greeter.default.example.com");
    expect(obj.metadata.finalizers).toContain("knit.dev/bridge");
    const res = await waitFor("Knit serving greeter", async () => {
      const r = await knit.get("greeter.default.example.com");
      return r.status === 200 ? r : undefined;
    }, 15_000);
    expect(res.body).toContain("Hello Bridge!");
    expect(cluster.kubectl(["get", "ksvc", "greeter"]).stdout).toMatch(/greeter\s+http:\/\/greeter\.default\.example\.com\s+greeter-00001\s+greeter-00001\s+True/);

    // A change in the cluster reaches Knit: a new revision answers.
    expect(cluster.kubectl(["apply", "-f", "-"], ksvc("greeter", "Again")).code).toBe(0);
    await waitFor("the new revision serving", async () => ((await knit.get("greeter.default.example.com")).body.includes("Hello Again!") ? true : undefined), 20_000);
    await waitFor("the cluster's status following", () => (clusterKsvc("greeter")?.status?.latestReadyRevisionName === "greeter-00002" ? true : undefined), 15_000);

    // Deleting in the cluster deletes in Knit first (the finalizer), then in the cluster.
    expect(cluster.kubectl(["delete", "ksvc", "greeter", "--wait=false"]).code).toBe(0);
    await waitFor("greeter gone from Knit", () => (knit.kubectl(["get", "ksvc", "greeter"]).code !== 0 ? true : undefined), 15_000);
    await waitFor("greeter gone from the cluster", () => (clusterKsvc("greeter") === undefined ? true : undefined), 15_000);
    await stopBridge(bridge);
  }, 120_000);

  it("killed mid-way and restarted, the bridge converges with nothing duplicated", async () => {
    const names = ["one", "two", "three", "four"];
    const first = startBridge("replica-a");
    for (const n of names) expect(cluster.kubectl(["apply", "-f", "-"], ksvc(`batch-${n}`, n)).code).toBe(0);
    await waitFor("the bridge at work", () => (first.out().includes("writes:") ? true : undefined), 15_000);
    await stopBridge(first, "SIGKILL");
    startBridge("replica-a");
    for (const n of names) await readyInCluster(`batch-${n}`);
    const inKnit = JSON.parse(knit.kubectl(["get", "ksvc", "-o", "json"]).stdout).items.map((o: any) => o.metadata.name).filter((n: string) => n.startsWith("batch-"));
    expect(inKnit.sort()).toEqual(names.map((n) => `batch-${n}`).sort());
    const revisions = JSON.parse(knit.kubectl(["get", "rev", "-o", "json"]).stdout).items.filter((o: any) => o.metadata.name.startsWith("batch-"));
    expect(revisions.length).toBe(names.length);
    for (const b of bridges) await stopBridge(b);
  }, 120_000);

  it("with two replicas only the Lease holder writes; when it dies the other takes over", async () => {
    const leader = startBridge("replica-c");
    await waitFor("replica-c leading", () => (leader.out().includes("replica-c leads") ? true : undefined), 15_000);
    // This replica reaches Knit by URL with the token and certificate in files (as from a Secret).
    const standby = startBridge("replica-d", { viaSecretFiles: true });
    await waitFor("replica-d standing by", () => (standby.out().includes("replica-d does not lead") ? true : undefined), 15_000);
    expect(cluster.kubectl(["apply", "-f", "-"], ksvc("paired", "Pair")).code).toBe(0);
    await readyInCluster("paired");
    expect(cluster.kubectl(["get", "lease", "knit-bridge", "-o", "jsonpath={.spec.holderIdentity}"]).stdout).toBe("replica-c");
    await waitFor("the leader's log of its write", () => (leader.out().includes("replica-c writes: create Service default/paired in Knit") ? true : undefined), 5_000);
    expect(standby.out()).not.toContain("replica-d writes:");

    // The leader dies without releasing the Lease: once it expires the standby leads and writes.
    await stopBridge(leader, "SIGKILL");
    expect(cluster.kubectl(["apply", "-f", "-"], ksvc("after-failover", "Failover")).code).toBe(0);
    await readyInCluster("after-failover");
    await waitFor("the standby's log of its write", () => (standby.out().includes("replica-d writes: create Service default/after-failover in Knit") ? true : undefined), 5_000);
    expect(standby.out()).toContain("replica-d leads");
    expect(cluster.kubectl(["get", "lease", "knit-bridge", "-o", "jsonpath={.spec.holderIdentity}"]).stdout).toBe("replica-d");
    await stopBridge(standby);
  }, 60_000);

  it("a Service Knit refuses shows Ready False on the cluster with the field named", async () => {
    const b = startBridge("replica-e");
    const bad = `apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: lopsided
spec:
  template:
    spec:
      containers:
        - image: ${image}
  traffic:
    - latestRevision: true
      percent: 120
`;
    expect(cluster.kubectl(["apply", "-f", "-"], bad).code).toBe(0);
    const refused = await waitFor("the refusal on the cluster object", () => {
      const c = clusterKsvc("lopsided")?.status?.conditions?.find((x: any) => x.type === "Ready");
      return c?.status === "False" ? c : undefined;
    }, 15_000);
    expect(refused.reason).toBe("RejectedByKnit");
    expect(refused.message).toContain("spec.traffic[0].percent");
    expect(knit.kubectl(["get", "ksvc", "lopsided"]).code).not.toBe(0);
    await stopBridge(b);
  }, 60_000);

  it("eventing objects applied to the cluster work in Knit and show their status there", async () => {
    const b = startBridge("replica-f");
    const yaml = `apiVersion: eventing.knative.dev/v1
kind: Broker
metadata:
  name: orders
---
apiVersion: eventing.knative.dev/v1
kind: Trigger
metadata:
  name: orders-to-greeter
spec:
  broker: orders
  filter:
    attributes:
      type: shop.order.placed
  subscriber:
    ref:
      apiVersion: serving.knative.dev/v1
      kind: Service
      name: order-greeter
`;
    expect(cluster.kubectl(["apply", "-f", "-"], ksvc("order-greeter", "Orders")).code).toBe(0);
    expect(cluster.kubectl(["apply", "-f", "-"], yaml).code).toBe(0);
    const ready = (kind: string, name: string) => waitFor(`${kind} ${name} Ready in the cluster`, () => {
      const r = cluster.kubectl(["get", kind, name, "-o", "json"]);
      const obj = r.code === 0 ? JSON.parse(r.stdout) : undefined;
      return obj?.status?.conditions?.some((c: any) => c.type === "Ready" && c.status === "True") ? obj : undefined;
    }, 30_000);
    const broker = await ready("broker", "orders");
    expect(broker.status.address.url).toBe("http://broker-ingress.knative-eventing.svc.cluster.local/default/orders");
    const trigger = await ready("trigger", "orders-to-greeter");
    expect(trigger.status.subscriberUri).toBe("http://order-greeter.default.svc.cluster.local");
    expect(cluster.kubectl(["get", "trigger", "orders-to-greeter"]).stdout).toMatch(/orders-to-greeter\s+orders\s+http:\/\/order-greeter\.default\.svc\.cluster\.local\s+True/);
    await stopBridge(b);
  }, 60_000);
});
