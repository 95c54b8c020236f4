// kubectl steps the end-to-end tests share: apply YAML from stdin, wait for an object to be Ready.

import { expect } from "vitest";
import type { KnitHandle } from "./platform.ts";
import { waitFor } from "./load.ts";

/** `kubectl apply -f -`, expecting it to succeed without complaint. */
export function kubectlApply(knit: KnitHandle, yaml: string): void {
  const r = knit.kubectl(["apply", "-f", "-"], yaml);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
}

/** The object once its Ready condition is True (as `kubectl get -o json` shows it). */
export function whenReady(knit: KnitHandle, kind: string, name: string, namespace = "default", timeoutMs = 20_000): Promise<any> {
  return waitFor(`${kind} ${namespace}/${name} Ready`, () => {
    const r = knit.kubectl(["get", kind, name, "-n", namespace, "-o", "json"]);
    if (r.code !== 0) return undefined;
    const obj = JSON.parse(r.stdout);
    return obj.status?.conditions?.some((c: any) => c.type === "Ready" && c.status === "True") ? obj : undefined;
  }, timeoutMs);
}
