// Requests the Store answers: resource paths, the script store, and the events kubectl describe asks for.

import type { Cluster } from "../store/cluster.ts";
import { BadRequestError, NotFoundError, TooLargeError } from "../errors.ts";
import { isValidScriptName, isValidTag } from "../store/scripts.ts";
import { parseResourcePath } from "./paths.ts";
import { handleResource } from "./resources.ts";
import { json } from "./respond.ts";

/** A bundled worker may be large, but not unbounded. */
const MAX_SCRIPT_BYTES = 10 * 1024 * 1024;

export async function handleStoreRequest(req: Request, cluster: Cluster): Promise<Response> {
  const url = new URL(req.url);
  const script = url.pathname.match(/^\/knit\/v1\/scripts\/([^/]+)$/);
  if (script) return pushScript(req, cluster, decodeURIComponent(script[1]));
  if (/^\/api\/v1\/(namespaces\/[^/]+\/)?events$/.test(url.pathname) && req.method === "GET") {
    return json({ apiVersion: "v1", kind: "EventList", metadata: { resourceVersion: cluster.objects.resourceVersion }, items: [] });
  }
  const rp = parseResourcePath(url.pathname);
  if (!rp) throw new NotFoundError("path", url.pathname);
  return handleResource(req, cluster, rp);
}

async function pushScript(req: Request, cluster: Cluster, name: string): Promise<Response> {
  if (req.method !== "PUT") throw new BadRequestError(`use PUT to push a script`);
  if (!isValidScriptName(name)) throw new BadRequestError(`script name "${name}" must be lower case letters, digits, '.', '_' or '-'`);
  const tags = new URL(req.url).searchParams.getAll("tag");
  for (const tag of tags) if (!isValidTag(tag)) throw new BadRequestError(`tag "${tag}" is not a valid tag`);
  const code = await req.text();
  if (code.length > MAX_SCRIPT_BYTES) throw new TooLargeError(MAX_SCRIPT_BYTES);
  if (!code.trim()) throw new BadRequestError("the script is empty");
  const pushed = await cluster.scripts.push(name, code, tags);
  // A new digest behind a tag does not change existing Revisions (they keep the digest they resolved);
  // Revisions still waiting for the tag can now resolve it.
  cluster.resyncAll();
  return json(pushed, 201);
}
