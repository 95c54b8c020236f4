// The shared router cases, run inside workerd: Knative objects through the pure reconcilers, the routing
// table builder and the ingress, with revisions in real Worker Loader isolates.

import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { routerCases, type RouterCase } from "../../test/cases/router.cases.ts";
import { TestWorld, keyOf } from "../api/reconcilers/testing.ts";
import { setDefaults } from "../api/defaults/index.ts";
import type { KObject } from "../api/types.ts";
import { buildRoutingTable } from "./build-table.ts";
import { createIngress } from "./ingress.ts";
import { probeRevision } from "./isolate.ts";
import { sha256Hex } from "../api/store/scripts.ts";

async function platformFor(c: RouterCase) {
  const world = new TestWorld();
  const code = new Map<string, string>();
  for (const [name, source] of Object.entries(c.scripts)) {
    const digest = `sha256:${await sha256Hex(source)}`;
    code.set(digest, source);
    world.tags.set(`${name}:latest`, digest);
  }
  for (const doc of parseAllDocuments(c.yaml)) {
    const obj = doc.toJSON() as KObject;
    world.apply(setDefaults(keyOf(obj), obj, world.config));
    world.settle();
  }
  const table = { version: 1, ...buildRoutingTable({ routes: world.list("routes.serving.knative.dev"), domainMappings: world.list("domainmappings.serving.knative.dev"), revisions: world.list("revisions.serving.knative.dev"), config: world.config }) };
  const loadScript = async (digest: string) => code.get(digest) ?? null;
  // Every revision must start, as the Store checks before marking it Ready.
  for (const target of Object.values(table.revisions)) {
    expect(await probeRevision(env.LOADER, target, loadScript, null)).toEqual({ ok: true });
  }
  const ingress = createIngress({ loadTable: async () => table, loadScript, loader: env.LOADER, outbound: null });
  return (host: string, path = "/") => ingress.fetch(new Request(`http://${host}${path}`, { headers: { host } }));
}

describe("router (in workerd)", () => {
  for (const c of routerCases) {
    it(c.name, async () => {
      const send = await platformFor(c);
      for (const e of c.expect) {
        const res = await send(e.host, e.path);
        const body = await res.text();
        expect({ host: e.host, status: res.status }).toEqual({ host: e.host, status: e.status });
        if (e.body !== undefined) expect(body).toBe(e.body);
        if (e.includes !== undefined) expect(body).toContain(e.includes);
      }
      if (c.split) {
        const counts = new Map<string, number>();
        for (let i = 0; i < c.split.requests; i++) {
          const body = await (await send(c.split.host)).text();
          counts.set(body, (counts.get(body) ?? 0) + 1);
        }
        for (const [body, share] of Object.entries(c.split.shares)) {
          expect(Math.abs((counts.get(body) ?? 0) / c.split.requests - share)).toBeLessThanOrEqual(c.split.tolerance);
        }
      }
    });
  }
});
