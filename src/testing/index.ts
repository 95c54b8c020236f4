// `knit/testing`: start Knit inside Miniflare from a user's own tests, apply Knative YAML, fetch by host.
//
//   import { startKnit } from "knit/testing";
//   const knit = await startKnit();
//   await knit.apply("service.yaml");
//   const res = await knit.fetch("hello.default.example.com");

import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { randomBytes } from "node:crypto";
import { startMiniflarePlatform, type MiniflarePlatform } from "../cli/miniflare.ts";
import { applyManifests, applySources } from "../cli/apply.ts";
import { parseManifestText } from "../cli/manifests.ts";
import { objectPath, requireKind } from "../cli/kinds.ts";

export interface StartOptions {
  /** Directory that `worker://./…` paths in inline YAML are resolved against (default: process.cwd()). */
  cwd?: string;
}

export interface KnitTestPlatform {
  /** Applies Knative YAML given as text, or a file or directory path. Throws with the server's message on errors. */
  apply(yamlOrPath: string): Promise<void>;
  /** A request through Knit's ingress, routed by `host` as a Knative ingress would. */
  fetch(host: string, path?: string, init?: RequestInit): Promise<Response>;
  /** An object from the API (kind as kubectl names it: ksvc, route, rev, …). */
  get(kind: string, name: string, namespace?: string): Promise<Record<string, any>>;
  /** Waits until the object's Ready condition is True; throws with its reason after `timeoutMs`. */
  waitForReady(kind: string, name: string, namespace?: string, timeoutMs?: number): Promise<Record<string, any>>;
  /** Ingress and API URLs, for tools that need them. */
  ingressUrl: string;
  apiUrl: string;
  dispose(): Promise<void>;
}

export async function startKnit(options: StartOptions = {}): Promise<KnitTestPlatform> {
  const workDir = mkdtempSync(join(tmpdir(), "knit-test-"));
  const platform: MiniflarePlatform = await startMiniflarePlatform({
    port: 0, apiPort: 0, token: randomBytes(24).toString("hex"), workDir, persist: false,
  });
  const cwd = resolve(options.cwd ?? process.cwd());
  const quiet = () => {};

  const get = (kind: string, name: string, namespace = "default") => {
    const k = requireKind(kind);
    return platform.client.get<Record<string, any>>(objectPath(k, k.namespaced ? namespace : undefined, name));
  };

  return {
    ingressUrl: platform.ingressUrl,
    apiUrl: platform.apiUrl,
    async apply(yamlOrPath) {
      const isPath = !yamlOrPath.includes("\n") && existsSync(resolve(cwd, yamlOrPath));
      const result = isPath
        ? await applySources([resolve(cwd, yamlOrPath)], { client: platform.client, namespace: "default", log: quiet })
        : await applyManifests(parseManifestText(yamlOrPath, "inline", cwd), { client: platform.client, namespace: "default", log: quiet });
      if (result.errors.length) throw new Error(result.errors.map((e) => e.message).join("\n"));
    },
    fetch(host, path = "/", init) {
      return platform.mf.dispatchFetch(`http://${host}${path}`, init as never) as unknown as Promise<Response>;
    },
    get,
    async waitForReady(kind, name, namespace = "default", timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      let last: Record<string, any> | undefined;
      while (Date.now() < deadline) {
        last = await get(kind, name, namespace).catch(() => undefined);
        const ready = last?.status?.conditions?.find((c: { type: string }) => c.type === "Ready");
        if (ready?.status === "True" && last?.status?.observedGeneration === last?.metadata?.generation) return last!;
        await new Promise((r) => setTimeout(r, 25));
      }
      const ready = last?.status?.conditions?.find((c: { type: string }) => c.type === "Ready");
      throw new Error(`${kind}/${name} not Ready after ${timeoutMs} ms: ${ready ? `${ready.status} ${ready.reason ?? ""} ${ready.message ?? ""}` : "no Ready condition"}`);
    },
    async dispose() {
      await platform.dispose();
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}


