import { describe, expect, it } from "vitest";
import type { Revision } from "../../../src/api/types.ts";
import {
  deploymentDrifted, makeDeployment, makeService, ownerFor, podReport, probeOnPort, serviceDrifted,
  type Deployment, type KubeService,
} from "./pod-revision.ts";

function revision(over: Partial<Revision["spec"]> = {}, labels: Record<string, string> = { "serving.knative.dev/service": "shop", "serving.knative.dev/configuration": "shop" }): Revision {
  return {
    apiVersion: "serving.knative.dev/v1",
    kind: "Revision",
    metadata: { name: "shop-00002", namespace: "retail", uid: "rev-uid", labels, annotations: { "autoscaling.knative.dev/max-scale": "5", "knit.dev/pod-report": "{}" } },
    spec: { containers: [{ image: "ghcr.io/acme/shop:2", env: [{ name: "MODE", value: "live" }] }], containerConcurrency: 8, timeoutSeconds: 120, ...over },
  } as Revision;
}

const owner = ownerFor(revision(), { kind: "Service", uid: "svc-uid", name: "shop" });

describe("makeDeployment", () => {
  const d = makeDeployment(revision(), owner, 3);
  const c = (d.spec.template.spec.containers as Record<string, any>[])[0];
  const cases: [string, unknown, unknown][] = [
    ["name", d.metadata.name, "shop-00002-deployment"],
    ["Knative's labels", d.metadata.labels, {
      "serving.knative.dev/service": "shop", "serving.knative.dev/configuration": "shop", "serving.knative.dev/revision": "shop-00002",
      "serving.knative.dev/revisionUID": "rev-uid", app: "shop-00002", "app.kubernetes.io/managed-by": "knit-bridge",
    }],
    ["selector on the revision uid", d.spec.selector, { matchLabels: { "serving.knative.dev/revisionUID": "rev-uid" } }],
    ["pods labelled like the Deployment", d.spec.template.metadata.labels, d.metadata.labels],
    ["owner: the cluster's Service", d.metadata.ownerReferences, [{ apiVersion: "serving.knative.dev/v1", kind: "Service", name: "shop", uid: "svc-uid", controller: false, blockOwnerDeletion: true }]],
    ["replicas as decided", d.spec.replicas, 3],
    ["revision annotations, without the bridge's report, with containerConcurrency", d.metadata.annotations, { "autoscaling.knative.dev/max-scale": "5", "knit.dev/container-concurrency": "8" }],
    ["image", c.image, "ghcr.io/acme/shop:2"],
    ["default container name", c.name, "user-container"],
    ["env with Knative's runtime contract", c.env, [
      { name: "MODE", value: "live" }, { name: "PORT", value: "8080" }, { name: "K_REVISION", value: "shop-00002" },
      { name: "K_CONFIGURATION", value: "shop" }, { name: "K_SERVICE", value: "shop" },
    ]],
    ["default port", c.ports, [{ name: "user-port", containerPort: 8080, protocol: "TCP" }]],
    ["default readiness: the port accepts connections", c.readinessProbe, { tcpSocket: { port: 8080 }, successThreshold: 1 }],
    ["grace for in-flight requests: the revision's timeout", d.spec.template.spec.terminationGracePeriodSeconds, 120],
    ["no service links (Knative's default)", d.spec.template.spec.enableServiceLinks, false],
  ];
  for (const [name, actual, expected] of cases) it(name, () => expect(actual).toEqual(expected));

  it("takes the template's port, probes, command and service account", () => {
    const rev = revision({
      containers: [{ image: "x", ports: [{ containerPort: 9000, name: "h2c" }], readinessProbe: { httpGet: { path: "/ready" } }, livenessProbe: { tcpSocket: { port: 0 } }, command: ["/srv"] }],
      serviceAccountName: "shop-sa",
    });
    const dep = makeDeployment(rev, undefined, 1);
    const cc = (dep.spec.template.spec.containers as Record<string, any>[])[0];
    expect(cc.ports[0].containerPort).toBe(9000);
    expect(cc.readinessProbe).toEqual({ httpGet: { path: "/ready", port: 9000 } });
    expect(cc.livenessProbe).toEqual({ tcpSocket: { port: 9000 } });
    expect(cc.command).toEqual(["/srv"]);
    expect(dep.spec.template.spec.serviceAccountName).toBe("shop-sa");
    expect(dep.metadata.ownerReferences).toBeUndefined();
    expect(makeService(rev, undefined).spec.ports).toEqual([{ name: "h2c", port: 9000, targetPort: 9000, protocol: "TCP" }]);
  });
});

describe("probeOnPort", () => {
  const cases: [string, Record<string, unknown>, Record<string, unknown>][] = [
    ["tcpSocket port 0 → the container port", { tcpSocket: { port: 0 } }, { tcpSocket: { port: 7000 } }],
    ["httpGet without a port → the container port", { httpGet: { path: "/" } }, { httpGet: { path: "/", port: 7000 } }],
    ["an explicit port stays", { httpGet: { port: 9090 } }, { httpGet: { port: 9090 } }],
    ["exec probes have no port", { exec: { command: ["true"] } }, { exec: { command: ["true"] } }],
  ];
  for (const [name, probe, expected] of cases) it(name, () => expect(probeOnPort(probe, 7000)).toEqual(expected));
});

describe("makeService", () => {
  it("selects the revision's pods on its port", () => {
    const s = makeService(revision(), owner);
    expect(s.metadata.name).toBe("shop-00002");
    expect(s.spec).toEqual({ selector: { "serving.knative.dev/revisionUID": "rev-uid" }, ports: [{ name: "http", port: 8080, targetPort: 8080, protocol: "TCP" }], type: "ClusterIP" });
  });
});

describe("drift", () => {
  const wanted = makeDeployment(revision(), owner, 1);
  const svc = makeService(revision(), owner);
  const cases: [string, boolean, boolean][] = [
    ["a Deployment only scaled differently has not drifted", deploymentDrifted({ ...wanted, spec: { ...wanted.spec, replicas: 4 } }, wanted), false],
    ["a Deployment with keys in another order has not drifted", deploymentDrifted(JSON.parse(JSON.stringify({ ...wanted, metadata: { resourceVersion: "9", ...wanted.metadata } })) as Deployment, wanted), false],
    ["a Deployment whose image was changed has drifted", deploymentDrifted(makeDeployment(revision({ containers: [{ image: "other" }] }), owner, 1), wanted), true],
    ["a Service with its assigned cluster IP has not drifted", serviceDrifted({ ...svc, spec: { ...svc.spec, clusterIP: "10.0.0.7" } }, svc), false],
    ["a Service with another selector has drifted", serviceDrifted({ ...svc, spec: { ...svc.spec, selector: { app: "x" } } } as KubeService, svc), true],
  ];
  for (const [name, actual, expected] of cases) it(name, () => expect(actual).toBe(expected));
});

describe("podReport", () => {
  const svc = { ...makeService(revision(), owner), spec: { ...makeService(revision(), owner).spec, clusterIP: "10.96.3.4" } };
  const dep = (status: Deployment["status"]) => ({ ...makeDeployment(revision(), owner, 1), status });
  const cases: { name: string; deployment?: Deployment; service?: KubeService; previous?: { ready: boolean; readyReplicas: number }; expected: object }[] = [
    { name: "nothing yet", expected: { readyReplicas: 0, ready: false } },
    { name: "a Service without a cluster IP yet: no address", deployment: dep({ readyReplicas: 1 }), service: makeService(revision(), owner), expected: { readyReplicas: 1, ready: true } },
    { name: "pods ready behind the Service's cluster IP", deployment: dep({ readyReplicas: 2, conditions: [{ type: "Available", status: "True" }] }), service: svc, expected: { url: "http://10.96.3.4:8080", readyReplicas: 2, ready: true } },
    { name: "scaled to zero after being available: still ready", deployment: dep({ readyReplicas: 0 }), service: svc, previous: { ready: true, readyReplicas: 1 }, expected: { url: "http://10.96.3.4:8080", readyReplicas: 0, ready: true } },
    {
      name: "a Deployment past its progress deadline: failed with its reason",
      deployment: dep({ readyReplicas: 0, conditions: [{ type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded", message: "ReplicaSet has timed out progressing." }] }),
      service: svc,
      expected: { url: "http://10.96.3.4:8080", readyReplicas: 0, ready: false, reason: "ProgressDeadlineExceeded", message: "ReplicaSet has timed out progressing." },
    },
    { name: "an IPv6 cluster IP is bracketed", deployment: dep({ readyReplicas: 1 }), service: { ...svc, spec: { ...svc.spec, clusterIP: "fd00::12" } }, expected: { url: "http://[fd00::12]:8080", readyReplicas: 1, ready: true } },
  ];
  for (const c of cases) it(c.name, () => expect(podReport(c.deployment, c.service, c.previous)).toEqual(c.expected));
});
