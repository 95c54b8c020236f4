import { describe, expect, it } from "vitest";
import { convertToV1 } from "./index.ts";
import type { KObject } from "../types.ts";

const container = { image: "docker.io/x/hello:v1", env: [{ name: "TARGET", value: "v1" }] };
const alpha = (spec: object, kind = "Service"): KObject => ({ apiVersion: "serving.knative.dev/v1alpha1", kind, metadata: { name: "hello", namespace: "default" }, spec });

describe("v1alpha1 → v1", () => {
  it.each([
    ["runLatest", alpha({ runLatest: { configuration: { revisionTemplate: { spec: { container } } } } }), { template: { spec: { containers: [container] } } }],
    ["pinned", alpha({ pinned: { revisionName: "hello-00001", configuration: { revisionTemplate: { spec: { container } } } } }), { template: { spec: { containers: [container] } }, traffic: [{ revisionName: "hello-00001", percent: 100 }] }],
    [
      "release with two revisions and rolloutPercent",
      alpha({ release: { revisions: ["hello-00001", "hello-00004"], rolloutPercent: 20, configuration: { revisionTemplate: { spec: { container } } } } }),
      {
        template: { spec: { containers: [container] } },
        traffic: [
          { tag: "current", revisionName: "hello-00001", percent: 80 },
          { tag: "candidate", revisionName: "hello-00004", percent: 20 },
          { tag: "latest", latestRevision: true, percent: 0 },
        ],
      },
    ],
    [
      "release with @latest as candidate",
      alpha({ release: { revisions: ["hello-00001", "@latest"], rolloutPercent: 10, configuration: { revisionTemplate: { spec: { container } } } } }),
      {
        template: { spec: { containers: [container] } },
        traffic: [
          { tag: "current", revisionName: "hello-00001", percent: 90 },
          { tag: "candidate", latestRevision: true, percent: 10 },
          { tag: "latest", latestRevision: true, percent: 0 },
        ],
      },
    ],
    ["Configuration with revisionTemplate and build (dropped)", alpha({ build: { template: { name: "kaniko" } }, revisionTemplate: { spec: { container } } }, "Configuration"), { template: { spec: { containers: [container] } } }],
    ["Route traffic name → tag", alpha({ traffic: [{ revisionName: "hello-00001", name: "v1", percent: 100 }] }, "Route"), { traffic: [{ revisionName: "hello-00001", tag: "v1", percent: 100 }] }],
  ])("%s", (_name, input, spec) => {
    const out = convertToV1(input.kind, input);
    expect(out).toEqual({ object: { ...input, apiVersion: "serving.knative.dev/v1", spec } });
  });

  it.each([
    ["manual mode", alpha({ manual: {} }), "spec.manual"],
    ["three release revisions", alpha({ release: { revisions: ["a", "b", "c"], configuration: { revisionTemplate: { spec: { container } } } } }), "spec.release.revisions"],
    ["rolloutPercent 100", alpha({ release: { revisions: ["a", "b"], rolloutPercent: 100, configuration: { revisionTemplate: { spec: { container } } } } }), "spec.release.rolloutPercent"],
    ["runLatest without a template", alpha({ runLatest: { configuration: {} } }), "spec.runLatest.configuration.revisionTemplate"],
  ])("refuses %s naming the field", (_n, input, field) => {
    const out = convertToV1("Service", input);
    expect("errors" in out && out.errors.map((e) => e.field)).toContain(field);
  });
});
