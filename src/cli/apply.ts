// `knit apply -f FILE|DIR|-`: bundle and push local worker:// modules, then create or update each object.

import { isDeepStrictEqual } from "node:util";
import type { KindInfo } from "../api/kinds.ts";
import { bundleModule } from "./bundle.ts";
import { ApiError, ConnectionError, type ApiClient } from "./client.ts";
import { collectionPath, displayKind, kindOfObject, objectPath } from "./kinds.ts";
import { readManifests, type Manifest } from "./manifests.ts";
import { findLocalImages, parseWorkerRef, replaceImages, resolveLocalPath, scriptNameFor } from "./worker-ref.ts";

type Obj = Record<string, unknown> & { metadata?: Record<string, unknown> };

export type ApplyOutcome = "created" | "configured" | "unchanged";

export interface ApplyOptions {
  client: ApiClient;
  /** Namespace for namespaced objects that do not name one. */
  namespace: string;
  /** Where progress lines go (kubectl's `service.serving.knative.dev/hello created`). */
  log?: (line: string) => void;
}

/** Pushes local modules (one push per path per call) and returns the image → pinned reference map. */
export class ScriptPusher {
  readonly client: ApiClient;
  readonly pushed = new Map<string, Promise<string>>();
  constructor(client: ApiClient) {
    this.client = client;
  }
  /** The pinned `worker://name@sha256:…` for a local module path (absolute). */
  pin(absPath: string): Promise<string> {
    let pending = this.pushed.get(absPath);
    if (!pending) {
      pending = bundleModule(absPath).then(async (code) => (await this.client.pushScript(scriptNameFor(absPath), code, "latest")).image);
      this.pushed.set(absPath, pending);
    }
    return pending;
  }
}

/** The manifest's object with local worker:// images replaced by pinned references. */
export async function pinImages(m: Manifest, pusher: ScriptPusher): Promise<Obj> {
  const pins = new Map<string, string>();
  for (const image of findLocalImages(m.object)) {
    const ref = parseWorkerRef(image);
    if (ref?.type !== "local" || pins.has(image)) continue;
    pins.set(image, await pusher.pin(resolveLocalPath(ref.path, m.dir)));
  }
  return pins.size ? replaceImages(m.object as Obj, (image) => pins.get(image)) : (m.object as Obj);
}

/**
 * What to PUT over the live object: the live object (server-set metadata and status kept) with the
 * manifest's labels, annotations and every other top-level field (spec, data, …) replacing the live ones.
 */
export function mergeForUpdate(live: Obj, desired: Obj): Obj {
  const merged: Obj = structuredClone(live);
  const meta: Record<string, unknown> = { ...(live.metadata ?? {}) };
  for (const key of ["labels", "annotations"] as const) {
    const value = desired.metadata?.[key];
    if (value === undefined) delete meta[key];
    else meta[key] = value;
  }
  merged.metadata = meta;
  for (const [key, value] of Object.entries(desired)) {
    if (key === "metadata" || key === "status") continue;
    merged[key] = value;
  }
  // A field the manifest dropped (spec.x is inside spec, but top-level data/binaryData are not) goes too.
  for (const key of ["data", "binaryData", "stringData"]) if (!(key in desired)) delete merged[key];
  return merged;
}

function nameOf(obj: Obj, source: string): string {
  const name = obj.metadata?.name;
  if (typeof name !== "string" || !name) throw new Error(`${source}: metadata.name is required`);
  return name;
}

/** Namespace an object lives in: its own, else the command's; none for cluster-scoped kinds. */
export function namespaceFor(kind: KindInfo, obj: Obj, fallback: string): string | undefined {
  if (!kind.namespaced) return undefined;
  const ns = obj.metadata?.namespace;
  return typeof ns === "string" && ns ? ns : fallback;
}

/** Creates or updates one object; answers what happened. */
export async function applyObject(client: ApiClient, kind: KindInfo, obj: Obj, namespace: string | undefined, source = "object"): Promise<ApplyOutcome> {
  const name = nameOf(obj, source);
  const path = objectPath(kind, namespace, name);
  const body: Obj = { ...obj, metadata: { ...(obj.metadata ?? {}), ...(namespace ? { namespace } : {}) } };
  for (let attempt = 0; ; attempt++) {
    const live = await client.get<Obj>(path).catch((err) => {
      if (err instanceof ApiError && err.status === 404) return undefined;
      throw err;
    });
    try {
      if (!live) {
        await client.create(collectionPath(kind, namespace), body);
        return "created";
      }
      const merged = mergeForUpdate(live, body);
      if (isDeepStrictEqual(merged, live)) return "unchanged";
      const updated = await client.replace<Obj>(path, merged);
      return updated?.metadata?.resourceVersion === live.metadata?.resourceVersion ? "unchanged" : "configured";
    } catch (err) {
      // 409: created meanwhile, or modified since our GET; read again and retry once.
      if (err instanceof ApiError && err.status === 409 && attempt === 0) continue;
      throw err;
    }
  }
}

export interface ApplyResult {
  applied: { kind: KindInfo; name: string; namespace?: string; outcome: ApplyOutcome }[];
  errors: Error[];
}

/** Applies every manifest from `sources`, continuing past failures like kubectl; errors are collected. */
export async function applySources(sources: string[], opts: ApplyOptions): Promise<ApplyResult> {
  const manifests = await readManifests(sources);
  return applyManifests(manifests, opts);
}

export async function applyManifests(manifests: Manifest[], opts: ApplyOptions): Promise<ApplyResult> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const pusher = new ScriptPusher(opts.client);
  const result: ApplyResult = { applied: [], errors: [] };
  for (const m of manifests) {
    try {
      const kind = kindOfObject(m.object);
      const obj = await pinImages(m, pusher);
      const namespace = namespaceFor(kind, obj, opts.namespace);
      const outcome = await applyObject(opts.client, kind, obj, namespace, m.source);
      const name = nameOf(obj, m.source);
      result.applied.push({ kind, name, namespace, outcome });
      log(`${displayKind(kind)}/${name} ${outcome}`);
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      // Connection failures will fail every object the same way: stop at the first.
      if (e instanceof ConnectionError) throw e;
      result.errors.push(new Error(`${m.source}: ${e.message}`));
    }
  }
  return result;
}
