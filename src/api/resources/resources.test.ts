import { describe, expect, it } from "vitest";
import type { Configuration } from "../types.ts";
import { makeRevision, revisionName, revisionNameFor } from "./revision.ts";
import { makeRoute } from "./route.ts";
import { makeConfiguration } from "./configuration.ts";
import { ksvc } from "../reconcilers/testing.ts";

describe("revisionName", () => {
  it.each([
    ["hello", 1, "hello-00001"],
    ["hello", 42, "hello-00042"],
    ["hello", 123456, "hello-123456"],
  ])("%s generation %i → %s", (config, gen, name) => {
    expect(revisionName(config, gen)).toBe(name);
  });

  it("stays within 63 characters and distinct for long names", () => {
    const a = revisionName("a".repeat(70), 1);
    const b = revisionName(`${"a".repeat(69)}b`, 1);
    expect(a.length).toBeLessThanOrEqual(63);
    expect(a.endsWith("-00001")).toBe(true);
    expect(a).not.toBe(b);
  });
});

describe("makeRevision", () => {
  const config: Configuration = {
    apiVersion: "serving.knative.dev/v1", kind: "Configuration",
    metadata: { name: "c", namespace: "ns", uid: "cu", generation: 3, labels: { "serving.knative.dev/service": "s" }, annotations: { "serving.knative.dev/lastModifier": "alice" } },
    spec: { template: { metadata: { labels: { team: "x" }, annotations: { "autoscaling.knative.dev/target": "10" } }, spec: { containers: [{ image: "worker://a@sha256:00" }] } } },
  };
  it("labels, annotations and owner", () => {
    const rev = makeRevision(config, revisionNameFor(config, 3), 3);
    expect(rev.metadata).toEqual({
      name: "c-00003", namespace: "ns",
      labels: { team: "x", "serving.knative.dev/configuration": "c", "serving.knative.dev/configurationGeneration": "3", "serving.knative.dev/configurationUID": "cu", "serving.knative.dev/service": "s" },
      annotations: { "autoscaling.knative.dev/target": "10", "serving.knative.dev/creator": "alice" },
      ownerReferences: [{ apiVersion: "serving.knative.dev/v1", kind: "Configuration", name: "c", uid: "cu", controller: true, blockOwnerDeletion: true }],
    });
    expect(rev.spec).toEqual(config.spec!.template.spec);
  });
});

describe("Service children", () => {
  it.each([
    ["no traffic → latest", undefined, [{ latestRevision: true, percent: 100, configurationName: "s" }]],
    ["pinned and latest", [{ revisionName: "s-00001", percent: 90 }, { latestRevision: true, percent: 10, tag: "next" }],
      [{ revisionName: "s-00001", percent: 90 }, { latestRevision: true, percent: 10, tag: "next", configurationName: "s" }]],
  ])("makeRoute: %s", (_, traffic, expected) => {
    expect(makeRoute(ksvc("s", { traffic })).spec?.traffic).toEqual(expected);
  });

  it("copies labels (visibility too) and drops last-applied", () => {
    const svc = ksvc("s", { labels: { "networking.knative.dev/visibility": "cluster-local" } });
    svc.metadata.annotations = { "kubectl.kubernetes.io/last-applied-configuration": "{}", keep: "me" };
    expect(makeRoute(svc).metadata).toMatchObject({ labels: { "networking.knative.dev/visibility": "cluster-local", "serving.knative.dev/service": "s" }, annotations: { keep: "me" } });
    expect(makeConfiguration(svc).metadata.annotations).toEqual({ keep: "me" });
  });
});
