import { describe, expect, it } from "vitest";
import { API_SERVER_SOURCE, apiServerEvents, bindingEnvs, containerSourceConfigs, pingConfigs } from "./sources.ts";
import type { ApiServerSource, ContainerSource, KObject, PingSource, SinkBinding, SinkBindingSpec } from "../types.ts";

const meta = (name: string, namespace = "default") => ({ name, namespace });

describe("pingConfigs", () => {
  it("runs a PingSource once its sink resolved, with its data and extensions", () => {
    const ready: PingSource = { apiVersion: "sources.knative.dev/v1", kind: "PingSource", metadata: meta("p"),
      spec: { schedule: "* * * * *", timezone: "UTC", data: "hi", contentType: "text/plain", ceOverrides: { extensions: { team: "a" } } }, status: { sinkUri: "http://s/" } };
    const waiting: PingSource = { ...ready, metadata: meta("q"), status: {} };
    expect(pingConfigs([ready, waiting])).toEqual([{ namespace: "default", name: "p", schedule: "* * * * *", timezone: "UTC", contentType: "text/plain", data: "hi", sinkUri: "http://s/", extensions: { team: "a" } }]);
  });
});

describe("bindingEnvs", () => {
  const binding = (subject: SinkBindingSpec["subject"], sinkUri?: string, ceOverrides?: SinkBindingSpec["ceOverrides"]): SinkBinding => ({
    apiVersion: "sources.knative.dev/v1", kind: "SinkBinding", metadata: meta("b"), spec: { subject, ceOverrides }, status: sinkUri ? { sinkUri } : {},
  });
  it.each<[string, SinkBinding, unknown]>([
    ["a Knative Service by name", binding({ apiVersion: "serving.knative.dev/v1", kind: "Service", name: "svc" }, "http://sink/"),
      [{ namespace: "default", subject: { kind: "Service", name: "svc" }, env: { K_SINK: "http://sink/" } }]],
    ["a selector and ceOverrides", binding({ apiVersion: "serving.knative.dev/v1", kind: "Revision", selector: { matchLabels: { app: "x" } } }, "http://sink/", { extensions: { a: "b" } }),
      [{ namespace: "default", subject: { kind: "Revision", matchLabels: { app: "x" } }, env: { K_SINK: "http://sink/", K_CE_OVERRIDES: '{"extensions":{"a":"b"}}' } }]],
    ["nothing before the sink resolves", binding({ apiVersion: "serving.knative.dev/v1", kind: "Service", name: "svc" }), []],
    ["nothing for a Deployment subject", binding({ apiVersion: "apps/v1", kind: "Deployment", name: "d" }, "http://sink/"), []],
  ])("%s", (_name, b, want) => {
    expect(bindingEnvs([b])).toEqual(want);
  });
});

describe("containerSourceConfigs", () => {
  it("gives the worker its env, K_SINK, K_CE_OVERRIDES and args as K_ARGS", () => {
    const cs: ContainerSource = { apiVersion: "sources.knative.dev/v1", kind: "ContainerSource", metadata: meta("c"),
      spec: { template: { spec: { containers: [{ image: "worker://t:latest", args: ["--interval=1"], env: [{ name: "A", value: "1" }] }] } }, ceOverrides: { extensions: { x: "y" } } },
      status: { sinkUri: "http://sink/", image: "worker://t@sha256:ab" } };
    expect(containerSourceConfigs([cs, { ...cs, status: { sinkUri: "http://sink/" } }])).toEqual([{
      namespace: "default", name: "c", image: "worker://t@sha256:ab",
      env: { A: "1", K_SINK: "http://sink/", K_CE_OVERRIDES: '{"extensions":{"x":"y"}}', K_ARGS: '["--interval=1"]' },
    }]);
  });
});

describe("apiServerEvents", () => {
  const source = (mode: string | undefined, matchLabels?: Record<string, string>, namespace = "default"): ApiServerSource => ({
    apiVersion: "sources.knative.dev/v1", kind: "ApiServerSource", metadata: meta("watch", namespace),
    spec: { mode, resources: [{ apiVersion: "v1", kind: "ConfigMap", ...(matchLabels ? { selector: { matchLabels } } : {}) }] }, status: { sinkUri: "http://sink/" },
  });
  const cm: KObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings", namespace: "default", labels: { watched: "yes" } } };
  const now = new Date("2026-01-01T00:00:00Z");

  it.each<[string, ApiServerSource, "ADDED" | "MODIFIED" | "DELETED", KObject, string[]]>([
    ["Reference mode by default", source(undefined), "ADDED", cm, ["dev.knative.apiserver.ref.add"]],
    ["Resource mode update", source("Resource"), "MODIFIED", cm, ["dev.knative.apiserver.resource.update"]],
    ["delete", source("Resource"), "DELETED", cm, ["dev.knative.apiserver.resource.delete"]],
    ["a label selector that matches", source("Resource", { watched: "yes" }), "ADDED", cm, ["dev.knative.apiserver.resource.add"]],
    ["a label selector that does not", source("Resource", { watched: "no" }), "ADDED", cm, []],
    ["another kind", source("Resource"), "ADDED", { ...cm, kind: "Namespace", metadata: { name: "n" } }, []],
    ["another namespace", source("Resource", undefined, "other"), "ADDED", cm, []],
  ])("%s", (_name, src, type, obj, types) => {
    expect(apiServerEvents([src], { type, object: obj }, () => "id-1", now).map((e) => e.event.type)).toEqual(types);
  });

  it("carries the object (Resource) or a reference (Reference), with Knative's attributes", () => {
    const [resource] = apiServerEvents([source("Resource")], { type: "ADDED", object: cm }, () => "id-1", now);
    expect(resource.log).toBe("apiserversource:default/watch");
    expect(resource.event).toMatchObject({ id: "id-1", source: API_SERVER_SOURCE, subject: "/api/v1/namespaces/default/configmaps/settings", time: now.toISOString(), data: cm, kind: "ConfigMap", name: "settings", namespace: "default" });
    const [ref] = apiServerEvents([source(undefined)], { type: "ADDED", object: cm }, () => "id-2", now);
    expect(ref.event.data).toEqual({ apiVersion: "v1", kind: "ConfigMap", name: "settings", namespace: "default" });
  });
});
