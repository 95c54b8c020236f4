// CRUD, list and watch on resource paths, served inside the Store (where the objects are).

import type { KObject } from "../types.ts";
import { apiVersionOf, storageKey } from "../kinds.ts";
import { BadRequestError, MethodNotAllowedError, NotFoundError, TooLargeError, UnsupportedMediaTypeError } from "../errors.ts";
import { handleScale } from "./scale.ts";
import { applyPatch } from "../protocol/patch.ts";
import { toTable } from "../protocol/table.ts";
import { compileLabelSelector, compileFieldSelector } from "../protocol/selectors.ts";
import type { Cluster } from "../store/cluster.ts";
import { presentAs } from "../store/cluster.ts";
import type { ResourcePath } from "./paths.ts";
import { json, statusBody } from "./respond.ts";
import { decodeProtobuf } from "./protobuf.ts";

/** Kubernetes' own limit on a request body (3 MiB). */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export async function handleResource(req: Request, cluster: Cluster, rp: ResourcePath): Promise<Response> {
  const url = new URL(req.url);
  const { kind, namespace, name, subresource } = rp;
  const q = url.searchParams;
  const present = (o: KObject) => presentAs(kind, o);
  if (subresource === "scale" && name) {
    if (!kind.scaleSubresource) throw new NotFoundError(`${kind.plural}/scale`, name, undefined, kind.group);
    return handleScale(req, cluster, kind, namespace, name, () => readJson(req));
  }
  switch (req.method) {
    case "GET": {
      if (name && !isWatch(q)) return respondObjects(req, rp, cluster, [present(cluster.get(kind, namespace, name))], true);
      const labels = compileLabelSelector(q.get("labelSelector") ?? "");
      const fields = compileFieldSelector(q.get("fieldSelector") ?? (name ? `metadata.name=${name}` : ""));
      const matches = (o: KObject) => labels(o.metadata.labels ?? {}) && fields(o);
      if (isWatch(q)) {
        const timeout = Number(q.get("timeoutSeconds") ?? "0") || undefined;
        // kubectl get -w asks for each event's object as a one-row Table.
        const asTable = (req.headers.get("accept") ?? "").includes("as=Table");
        const includeObject = (q.get("includeObject") ?? "Metadata") as "None" | "Metadata" | "Object";
        const presentEvent = asTable
          ? (o: KObject) => toTable(kind, [present(o)], { includeObject, resourceVersion: o.metadata.resourceVersion }) as unknown as KObject
          : present;
        const stream = cluster.watches.open(
          { key: storageKey(kind), namespace, matches, present: presentEvent },
          q.get("resourceVersion") ?? undefined,
          () => cluster.list(kind, namespace).filter(matches),
          Number(cluster.objects.resourceVersion),
          timeout,
          q.get("allowWatchBookmarks") === "true"
            ? { apiVersion: kind.group ? `${kind.group}/${kind.version}` : kind.version, kind: kind.kind, resourceVersion: () => String(cluster.objects.resourceVersion) }
            : undefined,
        );
        return new Response(stream, { headers: { "content-type": "application/json", "transfer-encoding": "chunked" } });
      }
      const items = cluster.list(kind, namespace).filter(matches).map(present);
      return respondObjects(req, rp, cluster, items, false);
    }
    case "POST": {
      if (name) throw new MethodNotAllowedError("POST", url.pathname);
      const body = await readObject(req);
      const created = cluster.create(kind, namespace, withKind(body, rp));
      return json(present(created), 201);
    }
    case "PUT": {
      if (!name) throw new MethodNotAllowedError("PUT", url.pathname);
      const body = await readObject(req);
      return json(present(cluster.update(kind, namespace, name, withKind(body, rp), subresource)));
    }
    case "PATCH": {
      if (!name) throw new MethodNotAllowedError("PATCH", url.pathname);
      const patch = await readJson(req);
      const current = present(cluster.get(kind, namespace, name));
      const patched = applyPatch(current, req.headers.get("content-type") ?? "", patch) as KObject;
      const target: KObject = { ...patched, metadata: { ...patched.metadata, resourceVersion: current.metadata.resourceVersion } };
      return json(present(cluster.update(kind, namespace, name, withKind(target, rp), subresource)));
    }
    case "DELETE": {
      if (name) {
        const gone = cluster.delete(kind, namespace, name);
        return json(statusBody(200, "", "", { name, group: kind.group, kind: kind.plural, uid: gone.metadata.uid } as never));
      }
      const labels = compileLabelSelector(q.get("labelSelector") ?? "");
      for (const o of cluster.list(kind, namespace).filter((o) => labels(o.metadata.labels ?? {}))) {
        cluster.delete(kind, o.metadata.namespace, o.metadata.name!);
      }
      return json(statusBody(200, "", ""));
    }
    default:
      throw new MethodNotAllowedError(req.method, url.pathname);
  }
}

function isWatch(q: URLSearchParams): boolean {
  const w = q.get("watch");
  return w === "1" || w === "true";
}

function respondObjects(req: Request, rp: ResourcePath, cluster: Cluster, items: KObject[], single: boolean): Response {
  const accept = req.headers.get("accept") ?? "";
  const rv = cluster.objects.resourceVersion;
  if (accept.includes("as=Table")) {
    const includeObject = (new URL(req.url).searchParams.get("includeObject") ?? "Metadata") as "None" | "Metadata" | "Object";
    return json(toTable(rp.kind, items, { includeObject, resourceVersion: rv }));
  }
  if (single) return json(items[0]);
  return json({ apiVersion: apiVersionOf(rp.kind), kind: `${rp.kind.kind}List`, metadata: { resourceVersion: rv }, items });
}

function withKind(body: KObject, rp: ResourcePath): KObject {
  if (body.kind && body.kind !== rp.kind.kind) {
    throw new BadRequestError(`the object's kind "${body.kind}" does not match the path's resource "${rp.kind.plural}" (kind ${rp.kind.kind})`);
  }
  return { ...body, apiVersion: body.apiVersion ?? apiVersionOf(rp.kind), kind: rp.kind.kind, metadata: body.metadata ?? {} };
}

async function readJson(req: Request): Promise<unknown> {
  // kubectl sends built-in kinds as protobuf first; a 415 makes client-go fall back to JSON.
  const type = req.headers.get("content-type") ?? "";
  if (type.includes("protobuf")) return decodeProtobuf(new Uint8Array(await readBytes(req)));
  if (type.includes("yaml")) throw new UnsupportedMediaTypeError(type);
  const length = Number(req.headers.get("content-length") ?? "0");
  if (length > MAX_BODY_BYTES) throw new TooLargeError(MAX_BODY_BYTES);
  const text = await req.text();
  if (text.length > MAX_BODY_BYTES) throw new TooLargeError(MAX_BODY_BYTES);
  if (!text.trim()) throw new BadRequestError("the request body is empty");
  return JSON.parse(text);
}

async function readBytes(req: Request): Promise<ArrayBuffer> {
  const bytes = await req.arrayBuffer();
  if (bytes.byteLength > MAX_BODY_BYTES) throw new TooLargeError(MAX_BODY_BYTES);
  return bytes;
}

async function readObject(req: Request): Promise<KObject> {
  const body = await readJson(req);
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new BadRequestError("the request body must be a JSON object");
  return body as KObject;
}
