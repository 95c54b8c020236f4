import { describe, expect, it } from "vitest";
import type { DomainMapping, Revision, Route } from "../api/types.ts";
import { buildRoutingTable } from "./build-table.ts";
import { TestWorld, configMap, ksvc, workerImage, DIGEST } from "../api/reconcilers/testing.ts";
import { parseServingConfig } from "../api/config/parse.ts";

function tableOf(w: TestWorld) {
  return buildRoutingTable({
    routes: w.list<Route>("routes.serving.knative.dev"),
    domainMappings: w.list<DomainMapping>("domainmappings.serving.knative.dev"),
    revisions: w.list<Revision>("revisions.serving.knative.dev"),
    config: w.config,
  });
}

function world(setup: (w: TestWorld) => void): TestWorld {
  const w = new TestWorld();
  setup(w);
  w.settle();
  return w;
}

const route = (route: string, ...targets: [string, number][]) => ({ namespace: "default", route, targets: targets.map(([revision, percent]) => ({ revision, percent })) });
const clusterLocal = (name: string, r: ReturnType<typeof route>) => ({
  [`${name}.default.svc.cluster.local`]: r, [`${name}.default.svc`]: r, [`${name}.default`]: r,
});

describe("buildRoutingTable hosts", () => {
  const cases: [string, (w: TestWorld) => void, Record<string, ReturnType<typeof route>>][] = [
    ["Service with defaults", (w) => w.apply(ksvc("hello")), {
      "hello.default.example.com": route("hello", ["hello-00001", 100]), ...clusterLocal("hello", route("hello", ["hello-00001", 100])),
    }],
    ["cluster-local Service has no external host", (w) => w.apply(ksvc("private", { labels: { "networking.knative.dev/visibility": "cluster-local" } })),
      clusterLocal("private", route("private", ["private-00001", 100]))],
    ["config-domain selector (example 6-12)", (w) => {
      w.config = parseServingConfig([configMap("config-domain", { "prod.gswkbook.com": "selector:\n  environment: prod\n", "dev.gswkbook.com": "" })]);
      w.apply(ksvc("knative-custom-domain", { labels: { environment: "prod" } }));
    }, {
      "knative-custom-domain.default.prod.gswkbook.com": route("knative-custom-domain", ["knative-custom-domain-00001", 100]),
      ...clusterLocal("knative-custom-domain", route("knative-custom-domain", ["knative-custom-domain-00001", 100])),
    }],
    ["50/50 split with tags and custom templates", (w) => {
      w.config = parseServingConfig([configMap("config-network", { "domain-template": "{{.Name}}-{{.Namespace}}.{{.Domain}}", "tag-template": "{{.Name}}-{{.Tag}}" })]);
      w.apply(ksvc("app"));
      w.settle();
      w.apply(ksvc("app", { env: { V: "2" }, traffic: [{ revisionName: "app-00001", percent: 50, tag: "v1" }, { latestRevision: true, percent: 50, tag: "v2" }] }));
    }, {
      "app-default.example.com": route("app", ["app-00001", 50], ["app-00002", 50]),
      ...clusterLocal("app", route("app", ["app-00001", 50], ["app-00002", 50])),
      "app-v1-default.example.com": route("app", ["app-00001", 100]),
      ...clusterLocal("app-v1", route("app", ["app-00001", 100])),
      "app-v2-default.example.com": route("app", ["app-00002", 100]),
      ...clusterLocal("app-v2", route("app", ["app-00002", 100])),
    }],
    ["blue/green: a 0% tag keeps its host", (w) => {
      w.apply(ksvc("bg"));
      w.settle();
      w.apply(ksvc("bg", { env: { C: "green" }, traffic: [{ revisionName: "bg-00001", percent: 100, tag: "blue" }, { latestRevision: true, percent: 0, tag: "green" }] }));
    }, {
      "bg.default.example.com": route("bg", ["bg-00001", 100]),
      ...clusterLocal("bg", route("bg", ["bg-00001", 100])),
      "blue-bg.default.example.com": route("bg", ["bg-00001", 100]),
      ...clusterLocal("blue-bg", route("bg", ["bg-00001", 100])),
      "green-bg.default.example.com": route("bg", ["bg-00002", 100]),
      ...clusterLocal("green-bg", route("bg", ["bg-00002", 100])),
    }],
    ["a Route with a missing revision has no hosts", (w) => w.apply(ksvc("broken", { traffic: [{ revisionName: "nope", percent: 100 }] })), {}],
    ["a Ready DomainMapping maps its host to the Service's targets", (w) => {
      w.config.autocreateClusterDomainClaims = true;
      w.apply(ksvc("hello"));
      w.apply({ apiVersion: "serving.knative.dev/v1beta1", kind: "DomainMapping", metadata: { name: "App.Example.org", namespace: "default" },
        spec: { ref: { apiVersion: "serving.knative.dev/v1", kind: "Service", name: "hello" } } });
    }, {
      "hello.default.example.com": route("hello", ["hello-00001", 100]), ...clusterLocal("hello", route("hello", ["hello-00001", 100])),
      "app.example.org": route("App.Example.org", ["hello-00001", 100]),
    }],
    ["an unclaimed DomainMapping is not served", (w) => {
      w.apply(ksvc("hello"));
      w.apply({ apiVersion: "serving.knative.dev/v1beta1", kind: "DomainMapping", metadata: { name: "app.example.org", namespace: "default" },
        spec: { ref: { apiVersion: "serving.knative.dev/v1", kind: "Service", name: "hello" } } });
    }, { "hello.default.example.com": route("hello", ["hello-00001", 100]), ...clusterLocal("hello", route("hello", ["hello-00001", 100])) }],
  ];
  it.each(cases)("%s", (_, setup, hosts) => {
    expect(tableOf(world(setup)).hosts).toEqual(hosts);
  });

  it("keeps the last good traffic while a new revision fails", () => {
    const w = world((x) => x.apply(ksvc("hello")));
    w.facts.set("default/hello-00002", { load: { ok: false, reason: "ExitCode1", message: "boom" } });
    w.apply(ksvc("hello", { env: { V: "2" } }));
    w.settle();
    expect(tableOf(w).hosts["hello.default.example.com"]).toEqual(route("hello", ["hello-00001", 100]));
  });
});

describe("buildRoutingTable revisions", () => {
  it("carries env, Knative's K_ variables, the pinned script and defaults", () => {
    const w = world((x) => x.apply(ksvc("hello", { env: { TARGET: "Knit" } })));
    const rev = tableOf(w).revisions["default/hello-00001"];
    expect(rev).toEqual({
      namespace: "default", name: "hello-00001", service: "hello", configuration: "hello",
      scriptName: "hello", digest: DIGEST, image: workerImage(),
      env: { TARGET: "Knit", K_SERVICE: "hello", K_CONFIGURATION: "hello", K_REVISION: "hello-00001" },
      timeoutSeconds: 300, containerConcurrency: 0, ready: true, annotations: {},
    });
  });

  it("a pod revision has no script and is not ready", () => {
    const w = world((x) => x.apply(ksvc("pod", { image: "nginx" })));
    const rev = tableOf(w).revisions["default/pod-00001"];
    expect(rev).toMatchObject({ image: "nginx", ready: false });
    expect(rev.scriptName).toBeUndefined();
  });

  it("a standalone Configuration's revision has an empty K_SERVICE, as in Knative", () => {
    const w = world((x) => x.apply({
      apiVersion: "serving.knative.dev/v1", kind: "Configuration", metadata: { name: "cfg", namespace: "default" },
      spec: { template: { spec: { containers: [{ image: workerImage(), env: [{ name: "FROM", valueFrom: { secretKeyRef: {} } }] }], timeoutSeconds: 30, containerConcurrency: 5 } } },
    }));
    const rev = tableOf(w).revisions["default/cfg-00001"];
    expect(rev).toMatchObject({ env: { K_SERVICE: "", K_CONFIGURATION: "cfg", K_REVISION: "cfg-00001" }, timeoutSeconds: 30, containerConcurrency: 5 });
    expect(rev.service).toBeUndefined();
  });
});
