// The shared router cases (test/cases/router.cases.ts) end to end: scripts pushed with `knit push`,
// YAML applied with kubectl, requests by Host through real workerd.

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { routerCases } from "../cases/router.cases.ts";
import { startKnit, type KnitHandle } from "./helpers/platform.ts";
import { burst, waitFor } from "./helpers/load.ts";

let knit: KnitHandle;
const dir = mkdtempSync(join(tmpdir(), "knit-router-"));

beforeAll(async () => {
  knit = await startKnit();
}, 120_000);
afterAll(async () => {
  await knit?.stop();
});

describe("router (end to end)", () => {
  for (const c of routerCases) {
    it(c.name, async () => {
      for (const [name, source] of Object.entries(c.scripts)) {
        const file = join(dir, `${name}.js`);
        writeFileSync(file, source);
        const pushed = knit.knit(["push", file, "--name", name, "--tag", "latest"]);
        expect(pushed.stdout).toMatch(new RegExp(`worker://${name}@sha256:[0-9a-f]{64}`));
      }
      for (const doc of parseAllDocuments(c.yaml)) {
        const r = knit.kubectl(["apply", "-f", "-"], doc.toString());
        expect(r.stderr).toBe("");
      }
      const names = parseAllDocuments(c.yaml).map((d) => d.toJSON() as { metadata: { name: string; namespace: string } });
      for (const { metadata } of names) {
        await waitFor(`${metadata.name} Ready`, () => {
          const r = knit.kubectl(["get", "ksvc", metadata.name, "-n", metadata.namespace, "-o", "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}"]);
          return r.stdout === "True" || undefined;
        });
      }
      for (const e of c.expect) {
        const res = await knit.get(e.host, e.path);
        expect({ host: e.host, status: res.status }).toEqual({ host: e.host, status: e.status });
        if (e.body !== undefined) expect(res.body).toBe(e.body);
        if (e.includes !== undefined) expect(res.body).toContain(e.includes);
      }
      if (c.split) {
        const hits = await burst(knit.port, c.split.host, c.split.requests);
        for (const [body, share] of Object.entries(c.split.shares)) {
          const n = hits.filter((h) => h.body === body).length;
          expect(Math.abs(n / c.split.requests - share)).toBeLessThanOrEqual(c.split.tolerance);
        }
      }
    });
  }
});
