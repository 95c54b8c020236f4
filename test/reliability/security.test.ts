// Security: the API answers nothing without its token; a revision's isolate reaches neither the API,
// nor the disk, nor another revision except through that revision's public route; a DomainMapping cannot
// take a host another namespace holds; Host headers are normalised so none bypasses routing.

import { readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKnit, type KnitHandle } from "../e2e/helpers/platform.ts";
import { applyModule, ready, report } from "./lib.ts";

let knit: KnitHandle;
const auth = () => ({ authorization: `Bearer ${knit.token}` });

beforeAll(async () => {
  knit = await startKnit();
}, 120_000);
afterAll(async () => {
  await knit?.stop();
});

/** Every path the API serves: discovery, OpenAPI, /metrics, and list, get and watch of every kind. */
async function apiPaths(): Promise<string[]> {
  const paths = ["/version", "/api", "/apis", "/api/v1", "/openapi/v2", "/openapi/v3", "/metrics", "/healthz", "/readyz", "/livez"];
  const groups = JSON.parse((await knit.apiRequest("/apis", auth())).body).groups as { name: string; versions: { groupVersion: string }[] }[];
  const versions = ["/api/v1", ...groups.flatMap((g) => g.versions.map((v) => `/apis/${v.groupVersion}`))];
  for (const base of versions) {
    paths.push(base, `/openapi/v3${base}`);
    const resources = JSON.parse((await knit.apiRequest(base, auth())).body).resources as { name: string; namespaced: boolean }[];
    for (const r of resources.filter((x) => !x.name.includes("/"))) {
      const list = r.namespaced ? `${base}/namespaces/default/${r.name}` : `${base}/${r.name}`;
      paths.push(list, `${list}/some-name`, `${list}?watch=true`, `${list}?watch=true&resourceVersion=0`, `${base}/${r.name}`);
    }
  }
  return paths;
}

describe("security", () => {
  it("no token or a wrong token gets 401 on every API path and watch", async () => {
    const paths = await apiPaths();
    expect(paths.length).toBeGreaterThan(100);
    const refusals: string[] = [];
    for (const path of paths) {
      const attempts: Record<string, string>[] = [{}, { authorization: "Bearer wrong-token" }, { authorization: `Basic ${Buffer.from(`x:${knit.token}`).toString("base64")}` }];
      for (const headers of attempts) {
        const res = await knit.apiRequest(path, headers);
        if (res.status !== 401) refusals.push(`${path} ${JSON.stringify(headers)} → ${res.status}`);
        else expect(JSON.parse(res.body)).toMatchObject({ kind: "Status", code: 401, reason: "Unauthorized" });
      }
    }
    expect(refusals).toEqual([]);
    report("401 on every API path", { paths: paths.length, requests: paths.length * 3, answeredOtherThan401: refusals.length });
  }, 120_000);

  it("a revision reaches neither the API, nor loopback, nor the disk, nor another revision except by its public route", async () => {
    applyModule(knit, "vault", `export default { fetch() { return new Response("vault secret"); } };`);
    const api = knit.api.replace("https://", "http://");
    // The dispatcher (which sends requests anywhere for the platform) has no TCP address at all: its one socket
    // is a unix socket in a directory only Knit's user can enter, which no URL a revision fetches can name.
    const dispatcherConfig = readFileSync(join(knit.stateDir, "build", "dispatcher.capnp"), "utf8");
    const socketPaths = [...dispatcherConfig.matchAll(/address = "([^"]*)"/g)].map((m) => m[1]);
    expect(socketPaths).toHaveLength(1);
    expect(socketPaths[0]).toMatch(/^unix:\//);
    expect(statSync(dirname(socketPaths[0].slice("unix:".length))).mode & 0o777).toBe(0o700);
    applyModule(knit, "intruder", `export default { async fetch() {
      const attempts = {
        apiHttps: "${knit.api}/api",
        apiHttp: "${api}/api",
        apiLocalhost: "https://localhost:${knit.apiPort}/api",
        ingressLoopback: "${knit.ingress}/",
        ingressAnyAddress: "http://0.0.0.0:${knit.port}/",
        ingressIPv6Loopback: "http://[::1]:${knit.port}/",
        revisionPrivateName: "http://vault-00001.default.svc.cluster.local/",
        revisionPrivateNameWithPort: "http://vault-00001-private.default.svc.cluster.local:8012/",
        file: "file:///etc/passwd",
      };
      const out = {};
      for (const [name, url] of Object.entries(attempts)) {
        try { const r = await fetch(url); out[name] = "reached " + r.status + " " + (await r.text()).slice(0, 40); } catch (e) { out[name] = "blocked"; }
      }
      try { await import("node:fs"); out.nodeFs = "imported"; } catch (e) { out.nodeFs = "blocked"; }
      try { const r = await fetch("http://vault.default.svc.cluster.local/"); out.publicRoute = r.status + " " + (await r.text()); } catch (e) { out.publicRoute = "failed " + e.message; }
      return Response.json(out);
    } };`);
    await ready(knit, "ksvc", "vault");
    await ready(knit, "ksvc", "intruder");
    const res = await knit.get("intruder.default.example.com");
    expect(res.status).toBe(200);
    const out = JSON.parse(res.body) as Record<string, string>;
    const { publicRoute, ...internal } = out;
    for (const [name, result] of Object.entries(internal)) expect({ name, result }).toEqual({ name, result: "blocked" });
    // Through its public route (Knit's ingress), another Service answers as it does to anyone.
    expect(publicRoute).toBe("200 vault secret");
    report("revision isolation", { attempts: Object.keys(internal).length, reached: 0, publicRoute: "200" });
  }, 60_000);

  it("a DomainMapping cannot claim a host another namespace already holds", async () => {
    const yaml = (ns: string) => `apiVersion: v1
kind: Namespace
metadata:
  name: ${ns}
---
apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: shopfront
  namespace: ${ns}
spec:
  template:
    spec:
      containers:
        - image: worker://hello
          env:
            - name: TARGET
              value: ${ns}
---
apiVersion: serving.knative.dev/v1beta1
kind: DomainMapping
metadata:
  name: store.acme-reliability.test
  namespace: ${ns}
spec:
  ref:
    apiVersion: serving.knative.dev/v1
    kind: Service
    name: shopfront
`;
    const claim = (ns: string) => `apiVersion: networking.internal.knative.dev/v1alpha1
kind: ClusterDomainClaim
metadata:
  name: store.acme-reliability.test
spec:
  namespace: ${ns}
`;
    expect(knit.kubectl(["create", "-f", "-"], claim("first-team")).code).toBe(0);
    expect(knit.kubectl(["apply", "-f", "-"], yaml("first-team")).code).toBe(0);
    await ready(knit, "domainmapping", "store.acme-reliability.test", "first-team");
    expect(knit.kubectl(["apply", "-f", "-"], yaml("second-team")).code).toBe(0);
    await ready(knit, "ksvc", "shopfront", "second-team");
    // The claim itself cannot be made again for the other namespace.
    const again = knit.kubectl(["create", "-f", "-"], claim("second-team"));
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/AlreadyExists|already exists/);
    const refused = await (async () => {
      for (let i = 0; i < 100; i++) {
        const r = knit.kubectl(["get", "domainmapping", "store.acme-reliability.test", "-n", "second-team", "-o", "json"]);
        const c = JSON.parse(r.stdout).status?.conditions?.find((x: { type: string }) => x.type === "Ready");
        if (c?.status === "False") return c;
        await new Promise((r2) => setTimeout(r2, 100));
      }
      return undefined;
    })();
    expect(refused?.status).toBe("False");
    expect(String(refused?.message)).toMatch(/first-team|claimed|already/i);
    const res = await knit.get("store.acme-reliability.test");
    expect(res.body).toContain("Hello first-team!");
    report("domain claims", { claimsTried: 2, takenFromAnotherNamespace: 0 });
  }, 60_000);

  it("hosts are normalised (case, port, trailing dot) and look-alikes reach nothing", async () => {
    const same = ["hello.default.example.com", "HELLO.Default.EXAMPLE.com", "hello.default.example.com:8080", "hello.default.example.com.", "Hello.Default.Example.Com.:80"];
    for (const host of same) {
      const res = await knit.get(host);
      expect({ host, status: res.status, body: res.body }).toEqual({ host, status: 200, body: expect.stringContaining("Hello") });
    }
    const others = ["hello.default.example.com.evil.test", "xhello.default.example.com", "hello.default.example.co", "default.example.com", "hello..default.example.com", "hello.default.example.com..", "*.default.example.com", "hello.default.example.com%00"];
    for (const host of others) {
      const res = await knit.get(host);
      expect({ host, status: res.status }).toEqual({ host, status: 404 });
    }
    report("host normalisation", { sameHostForms: same.length, lookAlikes: others.length, lookAlikesRouted: 0 });
  });
});
