// PATCH bodies: JSON merge patch (RFC 7386), JSON patch (RFC 6902), and strategic merge patch as far as
// Knative objects and ConfigMaps need it. Server-side apply is not supported (kubectl apply does not need it).

import { ApiError, BadRequestError, UnsupportedMediaTypeError } from "../errors.ts";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function isObject(v: unknown): v is Record<string, Json> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** Lists of objects merged element-wise by this key in strategic merge patches. */
const MERGE_KEYS: Record<string, string> = { containers: "name", env: "name", ports: "containerPort", volumeMounts: "mountPath", volumes: "name", conditions: "type" };

export function strategicMergePatch(target: unknown, patch: unknown, field = ""): unknown {
  if (!isObject(patch)) return patch;
  if (patch.$patch === "replace") {
    const { $patch: _, ...rest } = patch;
    return rest;
  }
  if (patch.$patch === "delete") return undefined;
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  const retain = Array.isArray(patch.$retainKeys) ? new Set(patch.$retainKeys as string[]) : undefined;
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith("$")) continue;
    if (v === null) {
      delete out[k];
      continue;
    }
    const mergeKey = MERGE_KEYS[k];
    if (mergeKey && Array.isArray(v) && Array.isArray(out[k])) {
      out[k] = mergeList(out[k] as Json[], v, mergeKey);
    } else {
      const merged = strategicMergePatch(out[k], v, k);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    }
  }
  if (retain) for (const k of Object.keys(out)) if (!retain.has(k)) delete out[k];
  void field;
  return out;
}

function mergeList(current: Json[], patch: Json[], key: string): Json[] {
  const out = [...current];
  for (const item of patch) {
    if (!isObject(item) || !(key in item)) {
      out.push(item);
      continue;
    }
    const at = out.findIndex((c) => isObject(c) && c[key] === item[key]);
    if (item.$patch === "delete") {
      if (at >= 0) out.splice(at, 1);
    } else if (at >= 0) out[at] = strategicMergePatch(out[at], item) as Json;
    else out.push(item);
  }
  return out;
}

function pointer(path: string): string[] {
  if (path === "") return [];
  if (!path.startsWith("/")) throw new BadRequestError(`invalid JSON pointer "${path}"`);
  return path.slice(1).split("/").map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function parentOf(doc: unknown, parts: string[], path: string): { parent: any; last: string } {
  let cur: any = doc;
  for (const p of parts.slice(0, -1)) {
    cur = Array.isArray(cur) ? cur[Number(p)] : cur?.[p];
    if (cur === undefined || cur === null || typeof cur !== "object") throw new ApiError(422, "Invalid", `the path "${path}" does not exist`);
  }
  return { parent: cur, last: parts[parts.length - 1] };
}

export function jsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw new BadRequestError("a JSON patch must be an array of operations");
  let doc: any = structuredClone(target);
  for (const op of ops as { op: string; path: string; from?: string; value?: unknown }[]) {
    const parts = pointer(op.path);
    const get = (p: string[], path: string) => {
      if (p.length === 0) return doc;
      const { parent, last } = parentOf(doc, p, path);
      return Array.isArray(parent) ? parent[Number(last)] : parent[last];
    };
    const remove = (p: string[], path: string) => {
      const { parent, last } = parentOf(doc, p, path);
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else if (last in parent) delete parent[last];
      else throw new ApiError(422, "Invalid", `the path "${path}" does not exist`);
    };
    const add = (p: string[], value: unknown, path: string) => {
      if (p.length === 0) {
        doc = value;
        return;
      }
      const { parent, last } = parentOf(doc, p, path);
      if (Array.isArray(parent)) parent.splice(last === "-" ? parent.length : Number(last), 0, value);
      else parent[last] = value;
    };
    switch (op.op) {
      case "add": add(parts, structuredClone(op.value), op.path); break;
      case "remove": remove(parts, op.path); break;
      case "replace": remove(parts, op.path); add(parts, structuredClone(op.value), op.path); break;
      case "move": { const v = get(pointer(op.from ?? ""), op.from ?? ""); remove(pointer(op.from ?? ""), op.from ?? ""); add(parts, v, op.path); break; }
      case "copy": add(parts, structuredClone(get(pointer(op.from ?? ""), op.from ?? "")), op.path); break;
      case "test":
        if (JSON.stringify(get(parts, op.path)) !== JSON.stringify(op.value)) throw new ApiError(422, "Invalid", `test operation failed at "${op.path}"`);
        break;
      default: throw new BadRequestError(`unknown JSON patch operation "${op.op}"`);
    }
  }
  return doc;
}

export function applyPatch(target: unknown, contentType: string, patch: unknown): unknown {
  const type = contentType.split(";")[0].trim();
  switch (type) {
    case "application/merge-patch+json": return mergePatch(target, patch);
    case "application/json-patch+json": return jsonPatch(target, patch);
    case "application/strategic-merge-patch+json": return strategicMergePatch(target, patch);
    default: throw new UnsupportedMediaTypeError(contentType);
  }
}
