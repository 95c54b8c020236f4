// Pod revisions through the k8s-bridge, without a kube-apiserver or a kubelet. The "cluster" is a Knit in
// cluster mode. Three stand-ins, named where they act:
//  - the kubelet: marks a Deployment's pods ready (status.readyReplicas = spec.replicas) a moment after
//    its replicas change;
//  - the API server's cluster-IP allocation: gives each new Service the address 127.0.0.1;
//  - the pods: one local HTTP server on the container port the Service names.
// Everything else is real: kubectl against the cluster, the bridge process, Knit's router, activator and
// autoscaler sending traffic and deciding the replicas.

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import * as k8s from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { join } from "node:path";
import { ROOT, startKnit, type KnitHandle } from "./helpers/platform.ts";
import { waitFor } from "./helpers/load.ts";
import { startBridge, stopBridge, type BridgeHandle } from "./helpers/bridge.ts";

let cluster: KnitHandle;
let knit: KnitHandle;
let bridge: BridgeHandle;
let workerImage: string;
let pod: Server;
let podPort: number;
const podRequests: { host?: string; forwardedHost?: string }[] = [];
const stopStandIns: (() => void)[] = [];
/** Every replica count the stand-in kubelet was asked for, in order. */
const replicaHistory: number[] = [];

function clusterClient(): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(cluster.kubeconfig);
  return kc;
}

/** Stand-in for the kubelet and for cluster-IP allocation (see the file's header). */
function startClusterStandIns(): void {
  const kc = clusterClient();
  const apps = kc.makeApiClient(k8s.AppsV1Api);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const timer = setInterval(async () => {
    try {
      for (const d of (await apps.listDeploymentForAllNamespaces()).items) {
        const want = d.spec?.replicas ?? 1;
        if (d.status?.readyReplicas === want && d.status?.replicas === want) continue;
        replicaHistory.push(want);
        await apps.replaceNamespacedDeploymentStatus({
          namespace: d.metadata!.namespace!, name: d.metadata!.name!,
          body: { ...d, status: { replicas: want, readyReplicas: want, availableReplicas: want, updatedReplicas: want, conditions: [{ type: "Available", status: "True", reason: "MinimumReplicasAvailable" }] } },
        });
      }
      for (const s of (await core.listServiceForAllNamespaces()).items) {
        if (s.spec?.clusterIP) continue;
        await core.replaceNamespacedService({ namespace: s.metadata!.namespace!, name: s.metadata!.name!, body: { ...s, spec: { ...s.spec, clusterIP: "127.0.0.1" } } });
      }
    } catch {
      // A conflict with the bridge's own write: the next round sees the new version.
    }
  }, 200);
  stopStandIns.push(() => clearInterval(timer));
}

beforeAll(async () => {
  pod = createServer((req, res) => {
    podRequests.push({ host: req.headers.host, forwardedHost: req.headers["x-forwarded-host"] as string | undefined });
    res.end("Hello from a pod\n");
  });
  await new Promise<void>((r) => pod.listen(0, "127.0.0.1", r));
  podPort = (pod.address() as AddressInfo).port;
  [cluster, knit] = await Promise.all([startKnit({ args: ["--cluster"] }), startKnit({ args: ["--pod-revisions"] })]);
  expect(cluster.kubectl(["apply", "-f", join(ROOT, "k8s-bridge", "config", "100-knative-crds.yaml")]).code).toBe(0);
  const pushed = knit.knit(["push", join(ROOT, "examples", "hello", "hello.ts"), "--name", "hello-pods"]);
  expect(pushed.code, pushed.stderr).toBe(0);
  workerImage = pushed.stdout.trim().split("\n").pop()!;
  // Short autoscaler windows in Knit so scale to zero happens within the test (6 s is Knative's minimum).
  expect(knit.kubectl(["apply", "-f", "-"], `apiVersion: v1
kind: ConfigMap
metadata:
  name: config-autoscaler
  namespace: knative-serving
data:
  stable-window: "6s"
  scale-to-zero-grace-period: "1s"
`).code).toBe(0);
  startClusterStandIns();
  bridge = startBridge(cluster, knit, "pods-bridge");
}, 120_000);

afterAll(async () => {
  for (const stop of stopStandIns) stop();
  if (bridge) await stopBridge(bridge);
  await Promise.all([cluster?.stop(), knit?.stop()]);
  pod?.close();
});

const clusterJson = (args: string[]) => {
  const r = cluster.kubectl([...args, "-o", "json"]);
  return r.code === 0 ? JSON.parse(r.stdout) : undefined;
};

describe("k8s-bridge: pod revisions", () => {
  it("a container-image revision runs as a Deployment and Service, splits traffic with a worker revision, and follows the autoscaler to zero and back", async () => {
    onTestFailed(() => console.log(bridge.out(), cluster.kubectl(["get", "deploy,svc,ksvc"]).stdout, knit.kubectl(["get", "rev,kpa"]).stdout));
    const worker = `apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: mixed
spec:
  template:
    metadata:
      name: mixed-isolate
    spec:
      containers:
        - image: ${workerImage}
          env:
            - name: TARGET
              value: Isolate
`;
    expect(cluster.kubectl(["apply", "-f", "-"], worker).code).toBe(0);
    await waitFor("mixed-isolate Ready in Knit", () => (knit.kubectl(["get", "rev", "mixed-isolate", "-o", "jsonpath={.status.conditions[?(@.type=='Ready')].status}"]).stdout === "True" ? true : undefined), 30_000);

    const split = `apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: mixed
spec:
  template:
    metadata:
      name: mixed-container
    spec:
      containerConcurrency: 4
      containers:
        - image: registry.example.com/shop/greeter:1.4
          ports:
            - containerPort: ${podPort}
          env:
            - name: GREETING
              value: Hi
  traffic:
    - revisionName: mixed-isolate
      percent: 50
      tag: isolate
    - revisionName: mixed-container
      percent: 50
      tag: container
`;
    const applied = cluster.kubectl(["apply", "-f", "-"], split);
    expect(applied.code, applied.stderr).toBe(0);

    // The bridge makes the revision's Deployment and Service, with Knative's labels and an owner.
    const deployment = await waitFor("the Deployment", () => clusterJson(["get", "deployment", "mixed-container-deployment"]), 30_000);
    const ksvc = clusterJson(["get", "ksvc", "mixed"]);
    const labels = deployment.metadata.labels;
    expect(labels["serving.knative.dev/service"]).toBe("mixed");
    expect(labels["serving.knative.dev/configuration"]).toBe("mixed");
    expect(labels["serving.knative.dev/revision"]).toBe("mixed-container");
    expect(labels["serving.knative.dev/revisionUID"]).toMatch(/.+/);
    expect(deployment.metadata.ownerReferences[0]).toMatchObject({ kind: "Service", name: "mixed", uid: ksvc.metadata.uid });
    expect(deployment.metadata.annotations["knit.dev/container-concurrency"]).toBe("4");
    const container = deployment.spec.template.spec.containers[0];
    expect(container.image).toBe("registry.example.com/shop/greeter:1.4");
    expect(container.ports[0].containerPort).toBe(podPort);
    expect(container.env).toEqual(expect.arrayContaining([{ name: "GREETING", value: "Hi" }, { name: "K_REVISION", value: "mixed-container" }, { name: "PORT", value: String(podPort) }]));
    expect(container.readinessProbe).toEqual({ tcpSocket: { port: podPort }, successThreshold: 1 });
    const service = await waitFor("the Service", () => clusterJson(["get", "service", "mixed-container"]), 10_000);
    expect(service.spec.selector).toEqual({ "serving.knative.dev/revisionUID": labels["serving.knative.dev/revisionUID"] });
    expect(service.spec.ports[0]).toMatchObject({ port: podPort, targetPort: podPort });

    // Pod readiness reaches Knit's Revision, and the cluster's ksvc shows Ready.
    await waitFor("mixed-container Ready in Knit", () => (knit.kubectl(["get", "rev", "mixed-container", "-o", "jsonpath={.status.conditions[?(@.type=='Ready')].status}"]).stdout === "True" ? true : undefined), 30_000);
    await waitFor("the cluster's ksvc Ready with the split", () => {
      const s = clusterJson(["get", "ksvc", "mixed"]);
      return s?.status?.traffic?.length === 2 && s.status.conditions?.some((c: any) => c.type === "Ready" && c.status === "True") ? true : undefined;
    }, 30_000);

    // Traffic: the split reaches both the isolate and the pod; the tags reach each alone.
    const bodies: string[] = [];
    for (let i = 0; i < 60; i++) bodies.push((await knit.get("mixed.default.example.com")).body);
    const fromIsolate = bodies.filter((b) => b.includes("Hello Isolate!")).length;
    const fromPod = bodies.filter((b) => b.includes("Hello from a pod")).length;
    expect(fromIsolate + fromPod).toBe(60);
    expect(fromIsolate).toBeGreaterThan(10);
    expect(fromPod).toBeGreaterThan(10);
    expect((await knit.get("container-mixed.default.example.com")).body).toContain("Hello from a pod");
    expect((await knit.get("isolate-mixed.default.example.com")).body).toContain("Hello Isolate!");
    expect(podRequests.at(-1)?.forwardedHost).toBe("container-mixed.default.example.com");

    // Idle: Knit's autoscaler scales the revision to zero and the Deployment follows.
    const deploymentReplicas = () => clusterJson(["get", "deployment", "mixed-container-deployment"])?.spec?.replicas;
    await waitFor("the Deployment scaled to zero", () => (deploymentReplicas() === 0 ? true : undefined), 45_000);
    await waitFor("Knit's PodAutoscaler at zero", () => (knit.kubectl(["get", "kpa", "mixed-container", "-o", "jsonpath={.status.actualScale}"]).stdout === "0" ? true : undefined), 15_000);
    expect(knit.kubectl(["get", "rev", "mixed-container", "-o", "jsonpath={.status.conditions[?(@.type=='Ready')].status}"]).stdout).toBe("True");

    // A request from zero: the activator holds it, the autoscaler asks for a pod, the bridge scales the
    // Deployment up, the pod is ready, and the request is answered.
    const before = podRequests.length;
    const res = await knit.get("container-mixed.default.example.com");
    expect(res.status).toBe(200);
    expect(res.body).toContain("Hello from a pod");
    expect(podRequests.length).toBe(before + 1);
    expect(deploymentReplicas()).toBeGreaterThanOrEqual(1);
    const zero = replicaHistory.lastIndexOf(0);
    expect(zero).toBeGreaterThanOrEqual(0);
    expect(replicaHistory.slice(zero + 1).some((n) => n >= 1)).toBe(true);
  }, 180_000);

  it("deleting the Service in the cluster removes the pod revision's Deployment and Service", async () => {
    onTestFailed(() => console.log(bridge.out()));
    expect(cluster.kubectl(["delete", "ksvc", "mixed", "--wait=false"]).code).toBe(0);
    await waitFor("the Deployment gone", () => (cluster.kubectl(["get", "deployment", "mixed-container-deployment"]).code !== 0 ? true : undefined), 30_000);
    await waitFor("the Service gone", () => (cluster.kubectl(["get", "service", "mixed-container"]).code !== 0 ? true : undefined), 10_000);
    await waitFor("mixed gone from the cluster", () => (cluster.kubectl(["get", "ksvc", "mixed"]).code !== 0 ? true : undefined), 15_000);
  }, 60_000);
});
