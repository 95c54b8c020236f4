import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { applyPatch, jsonPatch, mergePatch, strategicMergePatch } from "./patch.ts";
import { compileFieldSelector, compileLabelSelector } from "./selectors.ts";
import { evaluate } from "./jsonpath.ts";
import { age, toTable } from "./table.ts";
import { apiGroupList, apiResourceList } from "./discovery.ts";
import { openApiDocument, openApiIndex } from "./openapi.ts";
import { KINDS } from "../kinds.ts";
import type { KObject } from "../types.ts";

describe("label selectors", () => {
  const labels = { app: "shop", tier: "web", "serving.knative.dev/service": "shop" };
  it.each([
    ["", true], ["app=shop", true], ["app==shop", true], ["app!=shop", false], ["app=cart", false],
    ["app in (shop,cart)", true], ["app notin (shop)", false], ["tier", true], ["!tier", false], ["!missing", true],
    ["app=shop,tier=web", true], ["app=shop,tier=db", false], ["serving.knative.dev/service=shop", true],
  ])("%s → %s", (selector, want) => {
    expect(compileLabelSelector(selector)(labels)).toBe(want);
  });

  it("refuses a malformed selector with a 400", () => {
    expect(() => compileLabelSelector("app=shop,=x")).toThrow(/invalid label key/);
  });

  it("field selectors on name and namespace", () => {
    const obj = { apiVersion: "v1", kind: "X", metadata: { name: "a", namespace: "n" } } as KObject;
    expect(compileFieldSelector("metadata.name=a")(obj)).toBe(true);
    expect(compileFieldSelector("metadata.namespace!=n")(obj)).toBe(false);
    expect(() => compileFieldSelector("spec.x=1")).toThrow(/not supported/);
  });
});

describe("patches", () => {
  it("merge patch (RFC 7386 examples)", () => {
    expect(mergePatch({ a: "b", c: { d: "e", f: "g" } }, { a: "z", c: { f: null } })).toEqual({ a: "z", c: { d: "e" } });
    expect(mergePatch({ a: [1, 2] }, { a: [3] })).toEqual({ a: [3] });
  });

  it("merge patch of a computed diff reproduces the target (property)", () => {
    const json = fc.dictionary(fc.string({ minLength: 1, maxLength: 4 }), fc.oneof(fc.integer(), fc.string(), fc.boolean()));
    fc.assert(fc.property(json, json, (a, b) => {
      const diff: Record<string, unknown> = { ...b };
      for (const k of Object.keys(a)) if (!(k in b)) diff[k] = null;
      expect(mergePatch(a, diff)).toEqual(b);
    }));
  });

  it("JSON patch operations", () => {
    const doc = { spec: { traffic: [{ percent: 100 }] }, metadata: { labels: { "a/b": "1" } } };
    expect(jsonPatch(doc, [
      { op: "replace", path: "/spec/traffic/0/percent", value: 50 },
      { op: "add", path: "/spec/traffic/-", value: { percent: 50 } },
      { op: "remove", path: "/metadata/labels/a~1b" },
      { op: "test", path: "/spec/traffic/1/percent", value: 50 },
    ])).toEqual({ spec: { traffic: [{ percent: 50 }, { percent: 50 }] }, metadata: { labels: {} } });
    expect(() => jsonPatch(doc, [{ op: "test", path: "/spec/traffic/0/percent", value: 1 }])).toThrow(/test operation failed/);
  });

  it("strategic merge patch merges containers and env by name", () => {
    const live = { spec: { containers: [{ name: "user", image: "a", env: [{ name: "X", value: "1" }, { name: "Y", value: "2" }] }] } };
    const patch = { spec: { containers: [{ name: "user", image: "b", env: [{ name: "X", value: "9" }, { name: "Y", $patch: "delete" }] }] } };
    expect(strategicMergePatch(live, patch)).toEqual({ spec: { containers: [{ name: "user", image: "b", env: [{ name: "X", value: "9" }] }] } });
  });

  it("unknown patch types are a 415", () => {
    expect(() => applyPatch({}, "application/apply-patch+yaml", {})).toThrow(/unknown format/);
  });
});

describe("printer columns", () => {
  const svc: KObject = {
    apiVersion: "serving.knative.dev/v1", kind: "Service",
    metadata: { name: "shop", namespace: "default", creationTimestamp: new Date(Date.now() - 65_000).toISOString(), labels: { "serving.knative.dev/configuration": "shop" } },
    status: { url: "http://shop.default.example.com", latestCreatedRevisionName: "shop-00002", latestReadyRevisionName: "shop-00001", conditions: [{ type: "ConfigurationsReady", status: "True" }, { type: "Ready", status: "Unknown", reason: "RevisionMissing" }] },
  };

  it.each([
    [".status.url", "http://shop.default.example.com"],
    ['.status.conditions[?(@.type=="Ready")].status', "Unknown"],
    ['.status.conditions[?(@.type=="Ready")].reason', "RevisionMissing"],
    [".metadata.labels['serving\\.knative\\.dev/configuration']", "shop"],
    [".status.nothing", undefined],
  ])("jsonpath %s", (path, want) => {
    expect(evaluate(svc, path)).toBe(want);
  });

  it("the ksvc table has Knative's columns", () => {
    const table = toTable(KINDS.find((k) => k.kind === "Service")!, [svc], { includeObject: "Metadata" });
    expect(table.columnDefinitions.map((c) => c.name)).toEqual(["Name", "URL", "LatestCreated", "LatestReady", "Ready", "Reason", "Age"]);
    expect(table.rows[0].cells).toEqual(["shop", "http://shop.default.example.com", "shop-00002", "shop-00001", "Unknown", "RevisionMissing", "65s"]);
  });

  it.each([[5, "5s"], [119, "119s"], [125, "2m5s"], [600, "10m"], [7200, "120m"], [3 * 3600 + 60, "3h1m"], [50 * 3600, "2d2h"]])("age of %ss is %s", (s, want) => {
    expect(age(new Date(0).toISOString(), s * 1000)).toBe(want);
  });
});

describe("discovery and OpenAPI", () => {
  it("serving.knative.dev prefers v1 and lists short names", () => {
    const serving = apiGroupList().groups.find((g) => g.name === "serving.knative.dev")!;
    expect(serving.preferredVersion.version).toBe("v1");
    const list = apiResourceList("serving.knative.dev", "v1")!;
    const services = list.resources.find((r) => r.name === "services")!;
    expect(services.shortNames).toEqual(["kservice", "ksvc"]);
    expect(list.resources.some((r) => r.name === "services/status")).toBe(true);
  });

  it("every served group-version has an OpenAPI document with a GVK-tagged PATCH taking fieldValidation", () => {
    for (const path of Object.keys(openApiIndex().paths)) {
      const parts = path.split("/");
      const doc = parts[0] === "api" ? openApiDocument("", parts[1]) : openApiDocument(parts[1], parts[2]);
      expect(doc, path).toBeDefined();
      const patches = Object.values(doc!.paths).map((p) => (p as { patch: { parameters: { name: string }[] } }).patch);
      expect(patches.every((p) => p.parameters.some((q) => q.name === "fieldValidation"))).toBe(true);
    }
  });
});
