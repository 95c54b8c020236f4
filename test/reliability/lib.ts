// Shared pieces of the reliability suite: worker Services from inline modules, readiness, workerd's
// memory, and the summary lines docs/reliability.md quotes.

import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import type { KnitHandle } from "../e2e/helpers/platform.ts";
import { waitFor } from "../e2e/helpers/load.ts";

const dir = mkdtempSync(join(tmpdir(), "knit-reliability-"));

/** Applies a Knative Service whose revision runs `source`, with `knit apply` (bundled and pushed). */
export function applyModule(knit: KnitHandle, name: string, source: string, spec = "", namespace = "default"): void {
  writeFileSync(join(dir, `${name}.ts`), source);
  writeFileSync(join(dir, `${name}.yaml`), `apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  template:
    spec:
${spec}      containers:
        - image: worker://./${name}.ts
`);
  const r = knit.knit(["apply", "-f", join(dir, `${name}.yaml`)]);
  expect(r.stderr).toBe("");
}

export function ready(knit: KnitHandle, kind: string, name: string, namespace = "default", timeoutMs = 30_000): Promise<unknown> {
  return waitFor(`${kind} ${namespace}/${name} Ready`, () => {
    const r = knit.kubectl(["get", kind, name, "-n", namespace, "-o", "json"]);
    if (r.code !== 0) return undefined;
    const obj = JSON.parse(r.stdout);
    return obj.status?.conditions?.some((c: { type: string; status: string }) => c.type === "Ready" && c.status === "True") ? obj : undefined;
  }, timeoutMs);
}

/** Resident memory of a process in MB (VmRSS). */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
  return kb / 1024;
}

/** One line of figures per test, for docs/reliability.md. */
export function report(what: string, figures: Record<string, string | number>): void {
  console.log(`RELIABILITY ${what}: ${Object.entries(figures).map(([k, v]) => `${k}=${v}`).join(", ")}`);
}

/** How many cases each property tries (KNIT_FUZZ_RUNS; default 100). */
export const FUZZ_RUNS = Number(process.env.KNIT_FUZZ_RUNS ?? 100);
