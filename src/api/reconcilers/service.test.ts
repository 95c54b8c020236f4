import { describe, expect, it } from "vitest";
import type { Configuration, Revision, Route, Service } from "../types.ts";
import { TestWorld, configMap, ksvc, workerImage } from "./testing.ts";
import { parseServingConfig } from "../config/parse.ts";

const SVC = "services.serving.knative.dev" as const;
const CFG = "configurations.serving.knative.dev" as const;
const REV = "revisions.serving.knative.dev" as const;
const RT = "routes.serving.knative.dev" as const;

const cond = (obj: { status?: unknown } | undefined, type = "Ready") =>
  (obj?.status as { conditions?: { type: string; status: string; reason?: string; message?: string }[] })?.conditions?.find((c) => c.type === type);

function deployed(svc: Service, setup?: (w: TestWorld) => void): TestWorld {
  const world = new TestWorld();
  setup?.(world);
  world.apply(svc);
  world.settle();
  return world;
}

describe("Service with defaults", () => {
  const world = deployed(ksvc("hello", { env: { TARGET: "Knit" } }));
  const svc = world.get<Service>(SVC, "default", "hello")!;

  it("creates a Configuration, a Route and revision hello-00001", () => {
    const config = world.get<Configuration>(CFG, "default", "hello")!;
    expect(config.metadata.labels).toMatchObject({ "serving.knative.dev/service": "hello", "serving.knative.dev/serviceUID": svc.metadata.uid });
    expect(config.metadata.ownerReferences).toEqual([{ apiVersion: "serving.knative.dev/v1", kind: "Service", name: "hello", uid: svc.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    const rev = world.get<Revision>(REV, "default", "hello-00001")!;
    expect(rev.metadata.labels).toMatchObject({
      "serving.knative.dev/configuration": "hello", "serving.knative.dev/configurationGeneration": "1",
      "serving.knative.dev/configurationUID": config.metadata.uid, "serving.knative.dev/service": "hello",
    });
    expect(rev.status?.containerStatuses).toEqual([{ name: "user-container", imageDigest: workerImage() }]);
    const route = world.get<Route>(RT, "default", "hello")!;
    expect(route.spec?.traffic).toEqual([{ latestRevision: true, percent: 100, configurationName: "hello" }]);
  });

  it("reports Knative's Service status", () => {
    expect(svc.status).toMatchObject({
      observedGeneration: 1,
      url: "http://hello.default.example.com",
      address: { url: "http://hello.default.svc.cluster.local" },
      latestCreatedRevisionName: "hello-00001",
      latestReadyRevisionName: "hello-00001",
      traffic: [{ revisionName: "hello-00001", latestRevision: true, percent: 100 }],
    });
    expect(svc.status?.conditions?.map((c) => [c.type, c.status])).toEqual([["ConfigurationsReady", "True"], ["Ready", "True"], ["RoutesReady", "True"]]);
    expect(cond(world.get(RT, "default", "hello"), "CertificateProvisioned")).toMatchObject({ status: "True", reason: "TLSNotEnabled" });
  });

  it("a second template makes hello-00002 and moves traffic once it is ready", () => {
    const w = deployed(ksvc("hello"));
    w.facts.set("default/hello-00001", { load: { ok: true } });
    w.defaultLoad = undefined; // the new revision is not probed yet
    w.apply(ksvc("hello", { env: { V: "2" } }));
    w.settle();
    let s = w.get<Service>(SVC, "default", "hello")!;
    expect(s.status).toMatchObject({ latestCreatedRevisionName: "hello-00002", latestReadyRevisionName: "hello-00001" });
    expect(s.status?.traffic).toEqual([{ revisionName: "hello-00001", latestRevision: true, percent: 100 }]);
    expect(cond(s)).toMatchObject({ status: "Unknown" });
    expect(cond(w.get(REV, "default", "hello-00002"))).toMatchObject({ status: "Unknown", reason: "Deploying" });
    w.setLoad("default", "hello-00002", { ok: true });
    w.settle();
    s = w.get<Service>(SVC, "default", "hello")!;
    expect(s.status).toMatchObject({ latestReadyRevisionName: "hello-00002", traffic: [{ revisionName: "hello-00002", percent: 100 }] });
    expect(cond(s)).toMatchObject({ status: "True" });
  });
});

describe("revision failures", () => {
  it("a failing new revision fails the Service but keeps traffic on the last ready one", () => {
    const w = deployed(ksvc("hello"));
    w.facts.set("default/hello-00002", { load: { ok: false, reason: "ExitCode1", message: "boom" } });
    w.apply(ksvc("hello", { env: { V: "2" } }));
    w.settle();
    const s = w.get<Service>(SVC, "default", "hello")!;
    expect(cond(s)).toMatchObject({ status: "False", reason: "RevisionFailed", message: 'Revision "hello-00002" failed with message: boom.' });
    expect(cond(s, "ConfigurationsReady")).toMatchObject({ status: "False", reason: "RevisionFailed" });
    expect(s.status?.traffic).toEqual([{ revisionName: "hello-00001", latestRevision: true, percent: 100 }]);
  });

  const cases: [string, Parameters<typeof ksvc>[1], boolean, string, string][] = [
    ["unknown worker tag", { image: "worker://nope:v1" }, false, "ContainerMissing", "worker script nope:v1 not found"],
    ["pod image without a bridge", { image: "gcr.io/knative-samples/helloworld-go" }, false, "PodRuntimeUnavailable",
      'image "gcr.io/knative-samples/helloworld-go" is not a worker:// image and no Kubernetes bridge is connected to run it as a pod'],
  ];
  it.each(cases)("%s", (_, opts, podRuntime, reason, message) => {
    const w = deployed(ksvc("hello", opts), (world) => { world.podRuntimeAvailable = podRuntime; });
    expect(cond(w.get(REV, "default", "hello-00001"))).toMatchObject({ status: "False", reason, message });
    expect(cond(w.get(SVC, "default", "hello"))).toMatchObject({ status: "False", reason: "RevisionFailed" });
    expect(cond(w.get(RT, "default", "hello"), "AllTrafficAssigned")).toMatchObject({
      status: "False", reason: "RevisionMissing", message: 'Configuration "hello" does not have any ready Revision.',
    });
  });

  it("a worker:// tag resolves to a pinned digest", () => {
    const w = deployed(ksvc("hello", { image: "worker://hello:v1" }), (world) => world.tags.set("hello:v1", "sha256:1234"));
    expect(w.get<Revision>(REV, "default", "hello-00001")!.status?.containerStatuses).toEqual([{ name: "user-container", imageDigest: "worker://hello@sha256:1234" }]);
  });
});

describe("revision naming", () => {
  it("pads the Configuration's generation to five digits", () => {
    const w = deployed(ksvc("hello"));
    for (let i = 2; i <= 12; i++) { w.apply(ksvc("hello", { env: { N: String(i) } })); w.settle(); }
    expect(w.get<Service>(SVC, "default", "hello")!.status?.latestReadyRevisionName).toBe("hello-00012");
    expect(w.list(REV, "default")).toHaveLength(12);
  });

  it("uses spec.template.metadata.name", () => {
    const w = deployed(ksvc("hello", { revisionName: "hello-v1" }));
    expect(w.get(REV, "default", "hello-v1")).toBeDefined();
    expect(w.get<Service>(SVC, "default", "hello")!.status).toMatchObject({ latestReadyRevisionName: "hello-v1", traffic: [{ revisionName: "hello-v1" }] });
  });

  it("refuses a template name already used with a different spec", () => {
    const w = deployed(ksvc("hello", { revisionName: "hello-v1" }));
    w.apply(ksvc("hello", { revisionName: "hello-v1", env: { CHANGED: "yes" } }));
    w.settle();
    expect(cond(w.get(CFG, "default", "hello"))).toMatchObject({
      status: "False", reason: "RevisionFailed", message: 'Revision creation failed with message: revisions.serving.knative.dev "hello-v1" already exists.',
    });
    expect(cond(w.get(SVC, "default", "hello"), "RoutesReady")).toMatchObject({ status: "False", reason: "RevisionNameTaken" });
  });

  it("does not take over another Configuration's revision of the same name", () => {
    const w = deployed(ksvc("other", { revisionName: "shared" }));
    w.apply(ksvc("hello", { revisionName: "shared" }));
    w.settle();
    expect(cond(w.get(CFG, "default", "hello"))).toMatchObject({ status: "False", reason: "RevisionFailed" });
  });
});

describe("traffic", () => {
  it("blue/green: pinned revision plus a tagged latest at 0%", () => {
    const w = deployed(ksvc("app"));
    w.apply(ksvc("app", {
      env: { COLOR: "green" },
      traffic: [{ revisionName: "app-00001", percent: 100, tag: "blue" }, { latestRevision: true, percent: 0, tag: "green" }],
    }));
    w.settle();
    expect(w.get<Service>(SVC, "default", "app")!.status?.traffic).toEqual([
      { tag: "blue", revisionName: "app-00001", latestRevision: false, percent: 100, url: "http://blue-app.default.example.com" },
      { tag: "green", revisionName: "app-00002", latestRevision: true, percent: 0, url: "http://green-app.default.example.com" },
    ]);
    expect(cond(w.get(SVC, "default", "app"))).toMatchObject({ status: "True" });
  });

  it("50/50 split with custom tag and domain templates", () => {
    const w = deployed(ksvc("app"), (world) => {
      world.config = parseServingConfig([configMap("config-network", { "domain-template": "{{.Name}}-{{.Namespace}}.{{.Domain}}", "tag-template": "{{.Name}}-{{.Tag}}" })]);
    });
    w.apply(ksvc("app", { env: { V: "2" }, traffic: [{ revisionName: "app-00001", percent: 50, tag: "v1" }, { latestRevision: true, percent: 50, tag: "v2" }] }));
    w.settle();
    const s = w.get<Service>(SVC, "default", "app")!;
    expect(s.status?.url).toBe("http://app-default.example.com");
    expect(s.status?.traffic?.map((t) => [t.revisionName, t.percent, t.url])).toEqual([
      ["app-00001", 50, "http://app-v1-default.example.com"], ["app-00002", 50, "http://app-v2-default.example.com"],
    ]);
  });

  it("merges targets naming the same revision", () => {
    const w = deployed(ksvc("app", { traffic: [{ latestRevision: true, percent: 60 }, { latestRevision: true, percent: 40 }] }));
    expect(w.get<Route>(RT, "default", "app")!.status?.traffic).toEqual([{ revisionName: "app-00001", latestRevision: true, percent: 100 }]);
  });

  it("a cluster-local Service gets a cluster-local URL", () => {
    const w = deployed(ksvc("private", { labels: { "networking.knative.dev/visibility": "cluster-local" } }));
    expect(w.get<Route>(RT, "default", "private")!.metadata.labels).toMatchObject({ "networking.knative.dev/visibility": "cluster-local" });
    expect(w.get<Service>(SVC, "default", "private")!.status?.url).toBe("http://private.default.svc.cluster.local");
  });

  it("a config-domain change moves the URL (example 6-10 / 6-12)", () => {
    const w = deployed(ksvc("knative-custom-domain", { labels: { environment: "prod" } }));
    w.config = parseServingConfig([configMap("config-domain", { "prod.gswkbook.com": "selector:\n  environment: prod\n", "dev.gswkbook.com": "" })]);
    w.resync();
    w.settle();
    expect(w.get<Service>(SVC, "default", "knative-custom-domain")!.status?.url).toBe("http://knative-custom-domain.default.prod.gswkbook.com");
  });
});

describe("lastTransitionTime", () => {
  it("is kept while the status does not change", () => {
    const w = deployed(ksvc("hello"));
    const before = cond(w.get(SVC, "default", "hello")) as { lastTransitionTime?: string };
    w.now = "2030-01-01T00:00:00Z";
    w.resync();
    w.settle();
    expect((cond(w.get(SVC, "default", "hello")) as { lastTransitionTime?: string }).lastTransitionTime).toBe(before.lastTransitionTime);
  });
});
