// Serving end to end: real `knit start` (workerd), real kubectl, requests by Host through the ingress.

import { Agent } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKnit, type KnitHandle } from "./helpers/platform.ts";
import { burst, hit, steadyLoad, waitFor } from "./helpers/load.ts";

let knit: KnitHandle;

beforeAll(async () => {
  knit = await startKnit();
}, 120_000);
afterAll(async () => {
  await knit?.stop();
});

function kubectlJson(args: string[]): any {
  const r = knit.kubectl([...args, "-o", "json"]);
  if (r.code !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

function isReady(obj: any): boolean {
  return obj?.status?.conditions?.some((c: any) => c.type === "Ready" && c.status === "True") ?? false;
}

async function ready(kind: string, name: string, ns = "default"): Promise<any> {
  return waitFor(`${kind}/${name} Ready`, () => {
    const obj = kubectlJson(["get", kind, name, "-n", ns]);
    return isReady(obj) ? obj : undefined;
  });
}

async function answers(host: string, text: string): Promise<void> {
  await waitFor(`${host} answering "${text}"`, async () => {
    const res = await knit.get(host);
    return res.status === 200 && res.body.includes(text) ? true : undefined;
  });
}

function apply(path: string): void {
  const r = knit.knit(["apply", "-f", path]);
  expect(r.stderr, r.stdout).toBe("");
  expect(r.code).toBe(0);
}

describe("examples", () => {
  it("hello is applied on first start and answers on its URL", async () => {
    const ksvc = await ready("ksvc", "hello");
    expect(ksvc.status.url).toBe("http://hello.default.example.com");
    await answers("hello.default.example.com", "Hello World!");
  });

  it("traffic-split: 50/50 over 1,000 requests within ±5 points; tag hosts reach only their revision", async () => {
    apply("examples/traffic-split");
    const ksvc = await ready("ksvc", "helloworld");
    expect(ksvc.status.traffic.map((t: any) => [t.tag, t.revisionName, t.percent])).toEqual([
      ["current", "helloworld-v1", 50],
      ["candidate", "helloworld-v2", 50],
      ["latest", "helloworld-v2", 0],
    ]);
    await answers("candidate-helloworld.default.example.com", "Hello v2!");
    const hits = await burst(knit.port, "helloworld.default.example.com", 1000);
    expect(hits.every((h) => h.status === 200)).toBe(true);
    const v1 = hits.filter((h) => h.body === "Hello v1!\n").length;
    const v2 = hits.filter((h) => h.body === "Hello v2!\n").length;
    expect(v1 + v2).toBe(1000);
    expect(Math.abs(v1 / 1000 - 0.5)).toBeLessThanOrEqual(0.05);
    for (const [host, body] of [
      ["current-helloworld.default.example.com", "Hello v1!\n"],
      ["candidate-helloworld.default.example.com", "Hello v2!\n"],
      ["latest-helloworld.default.example.com", "Hello v2!\n"],
    ]) {
      const tagged = await burst(knit.port, host, 100, 8);
      expect(tagged.every((h) => h.status === 200 && h.body === body), host).toBe(true);
    }
  });

  it("blue/green: switching 100 % from v1 to v2 under continuous load fails no request", async () => {
    apply("examples/blue-green");
    await ready("route", "knative-helloworld");
    await answers("knative-helloworld.default.example.com", "Hello v1!");
    apply("examples/blue-green/steps/02-config-v2.yaml");
    await ready("rev", "knative-routing-demo-00002");
    apply("examples/blue-green/steps/03-route-v2-0.yaml");
    await answers("v2-knative-helloworld.default.example.com", "Hello v2!");
    const load = steadyLoad(knit.port, "knative-helloworld.default.example.com");
    await new Promise((r) => setTimeout(r, 300));
    apply("examples/blue-green/steps/05-route-v2-100.yaml");
    await answers("knative-helloworld.default.example.com", "Hello v2!");
    await new Promise((r) => setTimeout(r, 300));
    const hits = await load.stop();
    expect(hits.length).toBeGreaterThan(50);
    expect(hits.filter((h) => h.status !== 200)).toEqual([]);
    expect(hits.some((h) => h.body === "Hello v1!\n")).toBe(true);
    expect(hits.at(-1)!.body).toBe("Hello v2!\n");
  });

  it("v1alpha1 runLatest, then release with rolloutPercent", async () => {
    apply("examples/v1alpha1");
    await ready("ksvc", "helloworld-csharp");
    await answers("helloworld-csharp.default.example.com", "Hello Sample v1!");
    apply("examples/v1alpha1/steps/release.yaml");
    await answers("candidate-helloworld-csharp.default.example.com", "Hello Sample v2!");
    await answers("current-helloworld-csharp.default.example.com", "Hello Sample v1!");
  });

  it("domain-mapping: a claimed domain serves the mapped Service", async () => {
    apply("examples/domain-mapping");
    await ready("domainmapping", "hello.cropy.cn");
    await answers("hello.cropy.cn", "Hello DomainMapping!");
    apply("examples/domain-mapping/autocreate");
    await ready("dm", "hi.cropy.cn");
    await answers("hi.cropy.cn", "Hello DomainMapping!");
    expect(kubectlJson(["get", "cdc", "hi.cropy.cn"]).spec.namespace).toBe("default");
  });

  it("custom-domain: config-domain with a label selector places the route on its domain", async () => {
    apply("examples/custom-domain");
    const route = await ready("route", "knative-custom-domain");
    expect(route.status.url).toBe("http://knative-custom-domain.default.prod.gswkbook.com");
    await answers("knative-custom-domain.default.prod.gswkbook.com", "Hello custom domain!");
    await answers("hello.default.dev.gswkbook.com", "Hello World!");
    apply("examples/custom-domain/restore");
    await answers("hello.default.example.com", "Hello World!");
  });
});

describe("kubectl with YAML of the user's own", () => {
  it("applies a Service on a pushed worker image, shows Knative's columns, and serves it", async () => {
    const yaml = `apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: greeter
  namespace: default
spec:
  template:
    spec:
      containers:
        - image: worker://hello
          env:
            - name: TARGET
              value: Kubectl
`;
    const r = knit.kubectl(["apply", "-f", "-"], yaml);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("service.serving.knative.dev/greeter created");
    await ready("ksvc", "greeter");
    const table = knit.kubectl(["get", "ksvc", "greeter"]);
    expect(table.stdout).toMatch(/^NAME\s+URL\s+LATESTCREATED\s+LATESTREADY\s+READY\s+REASON/);
    expect(table.stdout).toMatch(/greeter\s+http:\/\/greeter\.default\.example\.com\s+greeter-00001\s+greeter-00001\s+True/);
    await answers("GREETER.default.example.com.:8080", "Hello Kubectl!");
    const rev = knit.kubectl(["get", "rev", "greeter-00001"]);
    expect(rev.stdout).toMatch(/CONFIG NAME/);
  });

  it("a route change reaches the ingress within a second of the apply", async () => {
    const yaml = (target: string) => `apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: quick
spec:
  template:
    spec:
      containers:
        - image: worker://hello
          env:
            - name: TARGET
              value: ${target}
`;
    expect(knit.kubectl(["apply", "-f", "-"], yaml("first")).code).toBe(0);
    await answers("quick.default.example.com", "Hello first!");
    expect(knit.kubectl(["apply", "-f", "-"], yaml("second")).code).toBe(0);
    const applied = Date.now();
    await answers("quick.default.example.com", "Hello second!");
    expect(Date.now() - applied).toBeLessThan(1000);
  });

  it("refuses bad objects with a Status naming the field", () => {
    const bad = `apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: bad-split
spec:
  template:
    spec:
      containers:
        - image: worker://hello
  traffic:
    - latestRevision: true
      percent: 150
`;
    const r = knit.kubectl(["apply", "-f", "-"], bad);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("spec.traffic[0].percent");
    const badName = knit.kubectl(["apply", "-f", "-"], bad.replace("bad-split", "Bad_Name").replace("150", "100"));
    expect(badName.code).not.toBe(0);
    expect(badName.stderr).toContain("metadata.name");
  });

  it("kubectl create namespace / configmap, label selectors, patch, and 409 on a stale resourceVersion", async () => {
    expect(knit.kubectl(["create", "namespace", "team-a"]).stdout).toContain("namespace/team-a created");
    expect(knit.kubectl(["create", "configmap", "settings", "-n", "team-a", "--from-literal=mode=fast"]).code).toBe(0);
    expect(kubectlJson(["get", "cm", "settings", "-n", "team-a"]).data).toEqual({ mode: "fast" });
    expect(knit.kubectl(["label", "ksvc", "hello", "tier=front"]).code).toBe(0);
    expect(knit.kubectl(["get", "ksvc", "-l", "tier=front", "-o", "name"]).stdout.trim()).toBe("service.serving.knative.dev/hello");
    expect(knit.kubectl(["get", "ksvc", "-l", "tier=back", "-o", "name"]).stdout.trim()).toBe("");
    const live = kubectlJson(["get", "cm", "settings", "-n", "team-a"]);
    const stale = { ...live, metadata: { ...live.metadata, resourceVersion: "1" }, data: { mode: "slow" } };
    const r = knit.kubectl(["replace", "-f", "-"], JSON.stringify(stale));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Conflict|the object has been modified/);
    expect(knit.kubectl(["delete", "namespace", "team-a"]).code).toBe(0);
    expect(knit.kubectl(["get", "cm", "settings", "-n", "team-a"]).stderr).toContain("NotFound");
  });

  it("an unknown host gets 404 naming the host", async () => {
    const res = await hit(new Agent(), knit.port, "nobody.example.org");
    expect(res.status).toBe(404);
    expect(res.body).toContain("nobody.example.org");
  });
});
