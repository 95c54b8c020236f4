// `worker://` image references in manifests: which ones are local paths to bundle (like ko's `ko://`),
// what the pushed script is called, and replacing them in an object with the pinned reference.

import { basename, dirname, extname, isAbsolute, resolve } from "node:path";

export type WorkerRef =
  | { type: "local"; path: string }
  | { type: "pinned"; name: string; digest: string }
  | { type: "tagged"; name: string; tag: string };

const PREFIX = "worker://";

/** Classifies an image string; undefined when it is not a worker:// reference (a container image). */
export function parseWorkerRef(image: string): WorkerRef | undefined {
  if (!image.startsWith(PREFIX)) return undefined;
  const rest = image.slice(PREFIX.length);
  // A path: ./x, ../x, or an absolute path (worker:///abs/x.ts).
  if (rest === "." || rest === ".." || rest.startsWith("./") || rest.startsWith("../") || rest.startsWith("/")) {
    return { type: "local", path: rest };
  }
  const at = rest.indexOf("@");
  if (at > 0) return { type: "pinned", name: rest.slice(0, at), digest: rest.slice(at + 1) };
  const colon = rest.lastIndexOf(":");
  if (colon > 0) return { type: "tagged", name: rest.slice(0, colon), tag: rest.slice(colon + 1) };
  return { type: "tagged", name: rest, tag: "latest" };
}

/** Absolute path of a local reference, relative to the directory of the manifest that names it. */
export function resolveLocalPath(refPath: string, manifestDir: string): string {
  return isAbsolute(refPath) ? refPath : resolve(manifestDir, refPath);
}

/**
 * The script store name for a module: the file's base name, or its directory's name for index.* files
 * (`./hello/index.ts` → "hello"), lower-cased with characters the store refuses replaced by '-'.
 */
export function scriptNameFor(path: string): string {
  const file = basename(path);
  const stem = file.slice(0, file.length - extname(file).length);
  const raw = stem === "index" || stem === "" ? basename(dirname(path)) : stem;
  const name = raw
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, "");
  return name || "worker";
}

/** Every `image` string in an object that is a local worker:// reference (any depth, like ko). */
export function findLocalImages(obj: unknown): string[] {
  const found: string[] = [];
  walk(obj, (image) => {
    if (parseWorkerRef(image)?.type === "local") found.push(image);
    return undefined;
  });
  return found;
}

/** A copy of `obj` with every `image` field replaced where `replace` answers a new value. */
export function replaceImages<T>(obj: T, replace: (image: string) => string | undefined): T {
  const copy = structuredClone(obj);
  walk(copy, replace);
  return copy;
}

function walk(node: unknown, visit: (image: string) => string | undefined): void {
  if (Array.isArray(node)) {
    for (const item of node) walk(item, visit);
    return;
  }
  if (!node || typeof node !== "object") return;
  const record = node as Record<string, unknown>;
  for (const [key, value] of Object.entries(record)) {
    if (key === "image" && typeof value === "string") {
      const next = visit(value);
      if (next !== undefined) record[key] = next;
    } else {
      walk(value, visit);
    }
  }
}
