import { describe, expect, it } from "vitest";
import { desiredInKnit, isMirror, knitCopyStale, refusedStatus, SOURCE_SPEC_ANNOTATION, SOURCE_UID_ANNOTATION, statusForCluster, type KubeObject } from "./mirror.ts";
import { fingerprint } from "./canonical.ts";

const clusterSvc: KubeObject = {
  apiVersion: "serving.knative.dev/v1",
  kind: "Service",
  metadata: {
    name: "shop",
    namespace: "retail",
    uid: "u-1",
    resourceVersion: "77",
    generation: 3,
    labels: { team: "a" },
    annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{}", note: "x" },
    finalizers: ["knit.dev/bridge"],
  },
  spec: { template: { spec: { containers: [{ image: "worker://shop" }] } } },
  status: { observedGeneration: 2 },
};

describe("desiredInKnit", () => {
  it("keeps identity, labels, annotations (but kubectl's record) and spec; marks the cluster uid and spec; drops server fields", () => {
    expect(desiredInKnit(clusterSvc)).toEqual({
      apiVersion: "serving.knative.dev/v1",
      kind: "Service",
      metadata: { name: "shop", namespace: "retail", labels: { team: "a" }, annotations: { note: "x", [SOURCE_UID_ANNOTATION]: "u-1", [SOURCE_SPEC_ANNOTATION]: fingerprint({ spec: clusterSvc.spec, labels: { team: "a" }, annotations: { note: "x" } }) } },
      spec: clusterSvc.spec,
    });
  });
});

describe("isMirror", () => {
  const cases: [string, KubeObject, boolean][] = [
    ["a copy the bridge made", { metadata: { annotations: { [SOURCE_UID_ANNOTATION]: "u-1" } } }, true],
    ["an object applied to Knit directly", { metadata: { annotations: { note: "x" } } }, false],
    ["a child Knit made of a mirrored Service (inherits the annotation, has an owner)", { metadata: { annotations: { [SOURCE_UID_ANNOTATION]: "u-1" }, ownerReferences: [{ apiVersion: "serving.knative.dev/v1", kind: "Service", name: "shop", uid: "k-1", controller: true }] } }, false],
  ];
  for (const [name, obj, expected] of cases) it(name, () => expect(isMirror(obj)).toBe(expected));
});

describe("knitCopyStale", () => {
  it("a label changed in the cluster makes the copy stale", () => {
    const relabelled = desiredInKnit({ ...clusterSvc, metadata: { ...clusterSvc.metadata, labels: { team: "b" } } });
    expect(knitCopyStale(desiredInKnit(clusterSvc), relabelled)).toBe(true);
  });
  const desired = desiredInKnit(clusterSvc);
  const knitCopy = { ...desired, metadata: { ...desired.metadata, resourceVersion: "5", generation: 1, uid: "k-9" }, status: { observedGeneration: 1 } };
  const cases: [string, KubeObject, boolean][] = [
    ["same content, Knit's own server fields aside", knitCopy, false],
    ["Knit defaulted the spec it stored: still current", { ...knitCopy, spec: { template: { spec: { containers: [{ image: "worker://shop" }], timeoutSeconds: 300 } } } }, false],
    ["made from another cluster spec", { ...knitCopy, metadata: { ...knitCopy.metadata, annotations: { ...knitCopy.metadata.annotations, [SOURCE_SPEC_ANNOTATION]: "0badc0de" } } }, true],
    ["Knit added its own label and annotation (a Trigger's broker, a Broker's class): still current", { ...knitCopy, metadata: { ...knitCopy.metadata, labels: { team: "a", "eventing.knative.dev/broker": "b" }, annotations: { ...knitCopy.metadata.annotations, "eventing.knative.dev/broker.class": "MTChannelBasedBroker" } } }, false],
    ["the cluster uid changed (object recreated)", { ...knitCopy, metadata: { ...knitCopy.metadata, annotations: { note: "x", [SOURCE_UID_ANNOTATION]: "u-0" } } }, true],
  ];
  for (const [name, obj, expected] of cases) it(name, () => expect(knitCopyStale(obj, desired)).toBe(expected));
});

describe("statusForCluster", () => {
  const desired = desiredInKnit(clusterSvc);
  const cases: { name: string; knit: KubeObject; expected: Record<string, unknown> | undefined }[] = [
    { name: "Knit has no status yet: nothing to write", knit: { ...desired, metadata: { ...desired.metadata, generation: 1 } }, expected: undefined },
    {
      name: "Knit caught up with the spec: its status, with the cluster's generation observed",
      knit: { ...desired, metadata: { ...desired.metadata, generation: 4 }, status: { observedGeneration: 4, url: "http://shop.retail.example.com" } },
      expected: { observedGeneration: 3, url: "http://shop.retail.example.com" },
    },
    {
      name: "Knit not yet caught up with its own generation: no observedGeneration claimed",
      knit: { ...desired, metadata: { ...desired.metadata, generation: 5 }, status: { observedGeneration: 4, url: "u" } },
      expected: { url: "u" },
    },
    {
      name: "Knit's copy still holds an older spec: no observedGeneration claimed",
      knit: { ...desired, metadata: { ...desired.metadata, annotations: { ...desired.metadata!.annotations, [SOURCE_SPEC_ANNOTATION]: "0badc0de" }, generation: 4 }, status: { observedGeneration: 4, url: "u" } },
      expected: { url: "u" },
    },
  ];
  for (const c of cases) it(c.name, () => expect(statusForCluster(clusterSvc, c.knit)).toEqual(c.expected));
});

describe("refusedStatus", () => {
  const cases: [string, unknown, string][] = [
    ["a Kubernetes Status as JSON text: its message", JSON.stringify({ kind: "Status", code: 422, message: 'Service "shop" is invalid: spec.traffic[0].percent: Invalid value: 120' }), 'Service "shop" is invalid: spec.traffic[0].percent: Invalid value: 120'],
    ["a Status object", { kind: "Status", message: "bad" }, "bad"],
    ["plain text", "refused", "refused"],
  ];
  for (const [name, body, message] of cases) {
    it(name, () => {
      expect(refusedStatus(clusterSvc, body)).toEqual({ observedGeneration: 3, conditions: [{ type: "Ready", status: "False", reason: "RejectedByKnit", message }] });
    });
  }
});
