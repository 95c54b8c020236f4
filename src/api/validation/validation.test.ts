import { describe, expect, it } from "vitest";
import { validateObject, validateReferences, parseGoDuration } from "./index.ts";
import { defaultServingConfig } from "../config/parse.ts";
import type { KObject } from "../types.ts";
import type { StoreKey } from "../reconcilers/world.ts";

const config = defaultServingConfig();

function ksvc(patch: { name?: string; template?: object; traffic?: object[]; annotations?: Record<string, string>; labels?: Record<string, string>; spec?: object } = {}): KObject {
  return {
    apiVersion: "serving.knative.dev/v1",
    kind: "Service",
    metadata: { name: patch.name ?? "shop", namespace: "default", labels: patch.labels },
    spec: {
      template: {
        metadata: { annotations: patch.annotations },
        spec: { containers: [{ image: "worker://hello" }], ...patch.spec },
        ...patch.template,
      },
      ...(patch.traffic ? { traffic: patch.traffic } : {}),
    },
  };
}

const fields = (key: StoreKey, obj: KObject, old?: KObject) => validateObject(key, obj, old, config).map((e) => e.field);
const SVC: StoreKey = "services.serving.knative.dev";

describe("Service validation", () => {
  it.each([
    ["a valid service", ksvc(), []],
    ["upper-case name", ksvc({ name: "Shop" }), ["metadata.name"]],
    ["underscore name", ksvc({ name: "my_shop" }), ["metadata.name"]],
    ["name starting with a digit", ksvc({ name: "1shop" }), ["metadata.name"]],
    ["name of 64 characters", ksvc({ name: "a".repeat(64) }), ["metadata.name"]],
    ["template name without the service prefix", ksvc({ template: { metadata: { name: "other-1" } } }), ["spec.template.metadata.name"]],
    ["template name with the prefix", ksvc({ template: { metadata: { name: "shop-blue" } } }), []],
    ["no containers", ksvc({ spec: { containers: [] } }), ["spec.template.spec.containers"]],
    ["container without image", ksvc({ spec: { containers: [{ image: "" }] } }), ["spec.template.spec.containers[0].image"]],
    ["containerConcurrency over the limit", ksvc({ spec: { containers: [{ image: "x" }], containerConcurrency: 1001 } }), ["spec.template.spec.containerConcurrency"]],
    ["negative containerConcurrency", ksvc({ spec: { containers: [{ image: "x" }], containerConcurrency: -1 } }), ["spec.template.spec.containerConcurrency"]],
    ["timeoutSeconds over the max", ksvc({ spec: { containers: [{ image: "x" }], timeoutSeconds: 601 } }), ["spec.template.spec.timeoutSeconds"]],
    ["reserved env name", ksvc({ spec: { containers: [{ image: "x", env: [{ name: "K_REVISION", value: "x" }] }] } }), ["spec.template.spec.containers[0].env[0].name"]],
    ["reserved port", ksvc({ spec: { containers: [{ image: "x", ports: [{ containerPort: 8012 }] }] } }), ["spec.template.spec.containers[0].ports[0].containerPort"]],
    ["bad visibility label", ksvc({ labels: { "networking.knative.dev/visibility": "public" } }), ["metadata.labels[networking.knative.dev/visibility]"]],
  ])("%s", (_name, obj, want) => {
    expect(fields(SVC, obj)).toEqual(want);
  });
});

describe("traffic validation", () => {
  it.each([
    ["100 % latest", [{ latestRevision: true, percent: 100 }], []],
    ["50/50 with tags", [{ tag: "a", revisionName: "shop-1", percent: 50 }, { tag: "b", revisionName: "shop-2", percent: 50 }], []],
    ["percent over 100", [{ latestRevision: true, percent: 150 }], ["spec.traffic[0].percent", "spec.traffic"]],
    ["negative percent", [{ latestRevision: true, percent: -1 }, { revisionName: "shop-1", percent: 100 }], ["spec.traffic[0].percent"]],
    ["sum below 100", [{ latestRevision: true, percent: 40 }, { revisionName: "shop-1", percent: 40 }], ["spec.traffic"]],
    ["duplicate tags", [{ tag: "a", latestRevision: true, percent: 50 }, { tag: "a", revisionName: "shop-1", percent: 50 }], ["spec.traffic[1].tag"]],
    ["tag not DNS-safe", [{ tag: "Blue_1", latestRevision: true, percent: 100 }], ["spec.traffic[0].tag"]],
    ["revisionName and latestRevision", [{ revisionName: "shop-1", latestRevision: true, percent: 100 }], ["spec.traffic[0]"]],
    ["configurationName on a Service", [{ configurationName: "shop", percent: 100 }], ["spec.traffic[0].configurationName"]],
    ["latestRevision false without a name", [{ latestRevision: false, percent: 100 }], ["spec.traffic[0].revisionName"]],
    ["url set by the user", [{ latestRevision: true, percent: 100, url: "http://x" }], ["spec.traffic[0].url"]],
  ])("%s", (_name, traffic, want) => {
    expect(fields(SVC, ksvc({ traffic }))).toEqual(want);
  });

  it("a Route needs one of revisionName, configurationName or latestRevision", () => {
    const route: KObject = { apiVersion: "serving.knative.dev/v1", kind: "Route", metadata: { name: "r", namespace: "default" }, spec: { traffic: [{ percent: 100 }] } };
    expect(fields("routes.serving.knative.dev", route)).toEqual(["spec.traffic[0]"]);
  });
});

describe("autoscaling annotations", () => {
  const at = (k: string) => `spec.template.metadata.annotations[autoscaling.knative.dev/${k}]`;
  it.each([
    [{ "autoscaling.knative.dev/min-scale": "1", "autoscaling.knative.dev/max-scale": "5" }, []],
    [{ "autoscaling.knative.dev/min-scale": "-1" }, [at("min-scale")]],
    [{ "autoscaling.knative.dev/min-scale": "6", "autoscaling.knative.dev/max-scale": "5" }, [at("min-scale")]],
    [{ "autoscaling.knative.dev/class": "foo.autoscaling.knative.dev" }, [at("class")]],
    [{ "autoscaling.knative.dev/metric": "cpu" }, [at("metric")]],
    [{ "autoscaling.knative.dev/target": "0" }, [at("target")]],
    [{ "autoscaling.knative.dev/window": "5s" }, [at("window")]],
    [{ "autoscaling.knative.dev/window": "2m" }, []],
    [{ "autoscaling.knative.dev/panic-threshold-percentage": "100" }, [at("panic-threshold-percentage")]],
    [{ "autoscaling.knative.dev/target-burst-capacity": "-2" }, [at("target-burst-capacity")]],
    [{ "autoscaling.knative.dev/class": "hpa.autoscaling.knative.dev", "autoscaling.knative.dev/metric": "cpu" }, [at("class")]],
  ])("%j", (annotations, want) => {
    expect(fields(SVC, ksvc({ annotations }))).toEqual(want);
  });
});

describe("other kinds", () => {
  it("a Revision's spec is immutable", () => {
    const rev: KObject = { apiVersion: "serving.knative.dev/v1", kind: "Revision", metadata: { name: "shop-00001", namespace: "default" }, spec: { containers: [{ image: "a" }] } };
    expect(fields("revisions.serving.knative.dev", { ...rev, spec: { containers: [{ image: "b" }] } }, rev)).toEqual(["spec"]);
  });

  it.each([
    ["valid", { ref: { kind: "Service", name: "shop", apiVersion: "serving.knative.dev/v1" } }, "shop.example.org", []],
    ["host name with upper case", { ref: { kind: "Service", name: "shop" } }, "Shop.example.org", ["metadata.name"]],
    ["missing ref", {}, "shop.example.org", ["spec.ref"]],
    ["ref to another namespace", { ref: { kind: "Service", name: "shop", namespace: "other" } }, "shop.example.org", ["spec.ref.namespace"]],
    ["ref to a Deployment", { ref: { kind: "Deployment", name: "shop" } }, "shop.example.org", ["spec.ref.kind"]],
  ])("DomainMapping: %s", (_n, spec, name, want) => {
    const dm: KObject = { apiVersion: "serving.knative.dev/v1beta1", kind: "DomainMapping", metadata: { name, namespace: "default" }, spec };
    expect(fields("domainmappings.serving.knative.dev", dm)).toEqual(want);
  });

  it("a ClusterDomainClaim needs spec.namespace", () => {
    const cdc: KObject = { apiVersion: "networking.internal.knative.dev/v1alpha1", kind: "ClusterDomainClaim", metadata: { name: "shop.example.org" }, spec: {} };
    expect(fields("clusterdomainclaims.networking.internal.knative.dev", cdc)).toEqual(["spec.namespace"]);
  });
});

describe("references", () => {
  const lookup = { revisionExists: (_ns: string, n: string) => n === "shop-1", configurationExists: (_ns: string, n: string) => n === "shop" };
  it.each([
    ["an existing revision", [{ revisionName: "shop-1", percent: 100 }], []],
    ["a missing revision", [{ revisionName: "shop-9", percent: 100 }], ["spec.traffic[0].revisionName"]],
    ["the revision this apply creates", [{ revisionName: "shop-new", percent: 100 }], []],
  ])("Service traffic naming %s", (_n, traffic, want) => {
    const obj = ksvc({ traffic, template: { metadata: { name: "shop-new" } } });
    expect(validateReferences(SVC, obj, lookup).map((e) => e.field)).toEqual(want);
  });

  it("Route traffic naming a missing Configuration", () => {
    const route: KObject = { apiVersion: "serving.knative.dev/v1", kind: "Route", metadata: { name: "r", namespace: "default" }, spec: { traffic: [{ configurationName: "nope", percent: 100 }] } };
    expect(validateReferences("routes.serving.knative.dev", route, lookup).map((e) => e.field)).toEqual(["spec.traffic[0].configurationName"]);
  });
});

describe("Go durations", () => {
  it.each([["60s", 60_000], ["1m30s", 90_000], ["1h", 3_600_000], ["500ms", 500], ["0", 0], ["1.5s", 1500], ["abc", undefined], ["10", undefined], ["", undefined]])("%s", (text, ms) => {
    expect(parseGoDuration(text)).toBe(ms);
  });
});
