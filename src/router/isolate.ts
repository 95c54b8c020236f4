// Revision isolates: one Worker Loader isolate per revision digest, started from the script store.

import type { RevisionTarget } from "./table.ts";
import { PROBE_HEADER, USER_MODULE, WRAPPER_MODULE, WRAPPER_SOURCE } from "./wrapper.ts";

export const REVISION_COMPATIBILITY_DATE = "2025-09-01";

export type LoadScript = (digest: string) => Promise<string | null>;

export class ScriptNotFoundError extends Error {}

/** Scripts are content-addressed, so a copy in memory never goes stale; bounded so many revisions cannot grow it without limit. */
const SCRIPT_CACHE_BYTES = 64 * 1024 * 1024;
const scripts = new Map<string, string>();
let cachedBytes = 0;

/** `load`, remembering what it answered by digest (a cold start then skips the round trip to the Store). */
export function cachingScripts(load: LoadScript): LoadScript {
  return async (digest) => {
    const hit = scripts.get(digest);
    if (hit !== undefined) return hit;
    const code = await load(digest);
    if (code !== null && code.length < SCRIPT_CACHE_BYTES) {
      scripts.set(digest, code);
      cachedBytes += code.length;
      for (const [key, value] of scripts) {
        if (cachedBytes <= SCRIPT_CACHE_BYTES) break;
        scripts.delete(key);
        cachedBytes -= value.length;
      }
    }
    return code;
  };
}

/** One isolate per revision code and env: a SinkBinding that changes K_SINK gets fresh isolates. */
export function isolateId(target: RevisionTarget): string {
  return `${target.namespace}/${target.name}@${target.digest}~${hash(JSON.stringify(target.env))}`;
}

/** FNV-1a, 32 bits, as hex: short and stable. */
function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16);
}

/** The revision's isolate; `instanceId` names one of several instances (the activator's), else the probe's. */
export function revisionStub(loader: WorkerLoader, target: RevisionTarget, loadScript: LoadScript, outbound: Fetcher | null, instanceId?: string): Fetcher {
  return loader
    .get(instanceId ?? isolateId(target), async () => {
      const code = await loadScript(target.digest!);
      if (code === null) throw new ScriptNotFoundError(`worker script ${target.scriptName}@${target.digest} is not in the script store`);
      return {
        compatibilityDate: REVISION_COMPATIBILITY_DATE,
        mainModule: WRAPPER_MODULE,
        modules: { [WRAPPER_MODULE]: WRAPPER_SOURCE, [USER_MODULE]: code },
        env: { ...target.env },
        globalOutbound: outbound,
      };
    })
    .getEntrypoint();
}

export type ProbeResult = { ok: true } | { ok: false; reason: string; message: string };

/** Loads the revision's isolate (the one requests will use) and checks its module starts and has a handler. */
export async function probeRevision(loader: WorkerLoader, target: RevisionTarget, loadScript: LoadScript, outbound: Fetcher | null): Promise<ProbeResult> {
  if (!target.digest) return { ok: false, reason: "NotAWorker", message: `${target.image} is not a worker:// image` };
  try {
    const res = await revisionStub(loader, target, loadScript, outbound).fetch("http://probe.knit.internal/", { headers: { [PROBE_HEADER]: "1" } });
    const body = await res.text();
    if (res.ok) return { ok: true };
    return { ok: false, reason: res.headers.get("x-knit-probe-failure") ?? "ProbeFailed", message: body };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof ScriptNotFoundError || message.includes("is not in the script store")) return { ok: false, reason: "ScriptNotFound", message };
    return { ok: false, reason: "WorkerLoadFailed", message: `the worker module failed to start: ${message}` };
  }
}
