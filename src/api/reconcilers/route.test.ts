import { describe, expect, it } from "vitest";
import type { Configuration, Route, TrafficTarget } from "../types.ts";
import { TestWorld, configMap, ksvc, workerImage } from "./testing.ts";
import { parseServingConfig } from "../config/parse.ts";

const RT = "routes.serving.knative.dev" as const;

const configuration = (name: string, env = "1"): Configuration => ({
  apiVersion: "serving.knative.dev/v1", kind: "Configuration", metadata: { name, namespace: "default" },
  spec: { template: { spec: { containers: [{ image: workerImage(), env: [{ name: "V", value: env }] }] } } },
});
const route = (name: string, traffic: TrafficTarget[], labels?: Record<string, string>): Route => ({
  apiVersion: "serving.knative.dev/v1", kind: "Route", metadata: { name, namespace: "default", ...(labels ? { labels } : {}) }, spec: { traffic },
});
const cond = (r: Route | undefined, type: string) => r?.status?.conditions?.find((c) => c.type === type);

describe("standalone Route (seed examples 6-6 to 6-12)", () => {
  function world(): TestWorld {
    const w = new TestWorld();
    w.config = parseServingConfig([configMap("config-domain", { "prod.gswkbook.com": "selector:\n  environment: prod\n", "dev.gswkbook.com": "" })]);
    w.apply(configuration("knative-custom-domain"));
    return w;
  }

  const cases: [string, TrafficTarget[], Record<string, string> | undefined, Record<string, unknown>][] = [
    ["pinned revision on the dev domain", [{ revisionName: "knative-custom-domain-00001", percent: 100 }], undefined,
      { url: "http://knative-custom-domain.default.dev.gswkbook.com", traffic: [{ revisionName: "knative-custom-domain-00001", latestRevision: false, percent: 100 }] }],
    ["environment=prod label", [{ revisionName: "knative-custom-domain-00001", percent: 100 }], { environment: "prod" },
      { url: "http://knative-custom-domain.default.prod.gswkbook.com", address: { url: "http://knative-custom-domain.default.svc.cluster.local" } }],
    ["configurationName follows the latest ready revision", [{ configurationName: "knative-custom-domain", percent: 100 }], undefined,
      { traffic: [{ revisionName: "knative-custom-domain-00001", latestRevision: true, percent: 100 }] }],
  ];
  it.each(cases)("%s", (_, traffic, labels, status) => {
    const w = world();
    w.apply(route("knative-custom-domain", traffic, labels));
    w.settle();
    const r = w.get<Route>(RT, "default", "knative-custom-domain")!;
    expect(r.status).toMatchObject(status);
    expect(r.status?.conditions?.map((c) => [c.type, c.status])).toEqual([
      ["AllTrafficAssigned", "True"], ["CertificateProvisioned", "True"], ["IngressReady", "True"], ["Ready", "True"],
    ]);
  });
});

describe("Route target errors", () => {
  const cases: [string, TrafficTarget[], string, string, string][] = [
    ["missing revision", [{ revisionName: "nope-00001", percent: 100 }], "False", "RevisionMissing", 'Revision "nope-00001" referenced in traffic not found.'],
    ["missing configuration", [{ configurationName: "nope", percent: 100 }], "False", "ConfigurationMissing", 'Configuration "nope" referenced in traffic not found.'],
    ["latestRevision without configurationName", [{ latestRevision: true, percent: 100 }], "False", "ConfigurationMissing",
      "A traffic target with latestRevision: true needs a configurationName."],
    ["failure wins over waiting", [{ configurationName: "slow", percent: 50 }, { revisionName: "nope-00001", percent: 50 }], "False", "RevisionMissing",
      'Revision "nope-00001" referenced in traffic not found.'],
    ["configuration not ready yet", [{ configurationName: "slow", percent: 100 }], "Unknown", "RevisionMissing",
      'Configuration "slow" is waiting for a Revision to become ready.'],
  ];
  it.each(cases)("%s", (_, traffic, status, reason, message) => {
    const w = new TestWorld();
    w.defaultLoad = undefined;
    w.apply(configuration("slow"));
    w.apply(route("r", traffic));
    w.settle();
    const r = w.get<Route>(RT, "default", "r")!;
    expect(cond(r, "AllTrafficAssigned")).toMatchObject({ status, reason, message });
    expect(cond(r, "Ready")).toMatchObject({ status, reason, message });
    expect(cond(r, "IngressReady")).toMatchObject({ status: "Unknown", reason: "IngressNotConfigured" });
    expect(r.status?.traffic).toBeUndefined();
  });

  it("a Service's Route may not use another Service's revision", () => {
    const w = new TestWorld();
    w.apply(ksvc("a"));
    w.apply(ksvc("b", { traffic: [{ revisionName: "a-00001", percent: 100 }] }));
    w.settle();
    expect(cond(w.get<Route>(RT, "default", "b"), "AllTrafficAssigned")).toMatchObject({
      status: "False", reason: "RevisionNotOwned", message: 'Revision "a-00001" belongs to Service "a", not Service "b".',
    });
  });

  it("keeps serving the previous traffic when an update names a missing revision", () => {
    const w = new TestWorld();
    w.apply(configuration("c"));
    w.apply(route("r", [{ revisionName: "c-00001", percent: 100 }]));
    w.settle();
    w.apply(route("r", [{ revisionName: "c-00009", percent: 100 }]));
    w.settle();
    const r = w.get<Route>(RT, "default", "r")!;
    expect(r.status?.traffic).toEqual([{ revisionName: "c-00001", latestRevision: false, percent: 100 }]);
    expect(cond(r, "Ready")).toMatchObject({ status: "False", reason: "RevisionMissing" });
  });
});

describe("latestRevision tracking", () => {
  it("follows the newest Ready revision and never moves back to an older one", () => {
    const w = new TestWorld();
    w.apply(configuration("c", "1"));
    w.apply(route("r", [{ configurationName: "c", percent: 100 }]));
    w.settle();
    w.facts.set("default/c-00002", { load: { ok: false, reason: "ExitCode1", message: "crash" } });
    w.apply(configuration("c", "2"));
    w.settle();
    expect(w.get<Route>(RT, "default", "r")!.status?.traffic?.[0].revisionName).toBe("c-00001");
    w.apply(configuration("c", "3"));
    w.settle();
    expect(w.get<Configuration>("configurations.serving.knative.dev", "default", "c")!.status).toMatchObject({
      latestCreatedRevisionName: "c-00003", latestReadyRevisionName: "c-00003",
    });
    expect(w.get<Route>(RT, "default", "r")!.status?.traffic?.[0].revisionName).toBe("c-00003");
  });
});
