// `knit delete KIND NAME…` and `knit delete -f FILE|DIR|-`.

import type { KindInfo } from "../api/kinds.ts";
import { ApiError, ConnectionError, type ApiClient } from "./client.ts";
import { displayResource, kindOfObject, objectPath } from "./kinds.ts";
import { readManifests } from "./manifests.ts";
import { namespaceFor } from "./apply.ts";

export interface DeleteTarget {
  kind: KindInfo;
  name: string;
  namespace?: string;
}

export interface DeleteOptions {
  client: ApiClient;
  ignoreNotFound?: boolean;
  log?: (line: string) => void;
}

/** Deletes each target, continuing past failures; answers the errors (kubectl exits 1 if any). */
export async function deleteTargets(targets: DeleteTarget[], opts: DeleteOptions): Promise<Error[]> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const errors: Error[] = [];
  for (const t of targets) {
    try {
      await opts.client.delete(objectPath(t.kind, t.kind.namespaced ? t.namespace : undefined, t.name));
      log(`${displayResource(t.kind)} "${t.name}" deleted`);
    } catch (err) {
      if (err instanceof ConnectionError) throw err;
      if (err instanceof ApiError && err.status === 404 && opts.ignoreNotFound) continue;
      errors.push(err instanceof Error ? err : new Error(String(err)));
    }
  }
  return errors;
}

/** The objects named by manifests, as delete targets. */
export async function targetsFromFiles(sources: string[], namespace: string): Promise<DeleteTarget[]> {
  const manifests = await readManifests(sources);
  return manifests.map((m) => {
    const kind = kindOfObject(m.object);
    const meta = (m.object.metadata ?? {}) as { name?: unknown };
    if (typeof meta.name !== "string" || !meta.name) throw new Error(`${m.source}: metadata.name is required`);
    return { kind, name: meta.name, namespace: namespaceFor(kind, m.object, namespace) };
  });
}
