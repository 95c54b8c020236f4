// `worker://` image references (DESIGN.md): NAME@sha256:HEX, NAME:TAG, NAME (tag latest), ./local/path.

import type { ImageResolution } from "../reconcilers/world.ts";

export type WorkerImageRef =
  | { form: "digest"; name: string; digest: string }
  | { form: "tag"; name: string; tag: string }
  | { form: "path"; path: string };

const PREFIX = "worker://";

export function isWorkerImage(image: string): boolean {
  return image.startsWith(PREFIX);
}

export function parseWorkerImage(image: string): WorkerImageRef | { error: string } {
  if (!isWorkerImage(image)) return { error: `not a worker:// image: ${image}` };
  const rest = image.slice(PREFIX.length);
  if (rest.startsWith("./") || rest.startsWith("../") || rest.startsWith("/")) return { form: "path", path: rest };
  const at = rest.indexOf("@");
  if (at >= 0) {
    const digest = rest.slice(at + 1);
    if (!/^sha256:[0-9a-f]{64}$/.test(digest)) return { error: `digest must be sha256:<64 hex digits>, got "${digest}"` };
    return { form: "digest", name: rest.slice(0, at), digest };
  }
  const colon = rest.lastIndexOf(":");
  if (colon >= 0) return { form: "tag", name: rest.slice(0, colon), tag: rest.slice(colon + 1) };
  return { form: "tag", name: rest, tag: "latest" };
}

export interface ScriptLookup {
  has(digest: string): boolean;
  tag(name: string, tag: string): string | undefined;
}

export function resolveImage(image: string, scripts: ScriptLookup): ImageResolution {
  if (!isWorkerImage(image)) return { kind: "pod", image };
  const ref = parseWorkerImage(image);
  if ("error" in ref) return { kind: "error", reason: "InvalidImage", message: ref.error };
  if (ref.form === "path") {
    return {
      kind: "error",
      reason: "ImageNotPushed",
      message: `${image} is a local path: apply it with "knit apply" (which bundles and pushes it) or push it with "knit push ${ref.path}"`,
    };
  }
  if (ref.form === "digest") {
    if (!scripts.has(ref.digest)) {
      return { kind: "error", reason: "ContainerMissing", message: `worker script ${ref.name}@${ref.digest} has not been pushed` };
    }
    return { kind: "worker", scriptName: ref.name, digest: ref.digest };
  }
  const digest = scripts.tag(ref.name, ref.tag);
  if (!digest) {
    return { kind: "error", reason: "ContainerMissing", message: `worker script ${ref.name}:${ref.tag} not found: push it with "knit push PATH --name ${ref.name} --tag ${ref.tag}"` };
  }
  return { kind: "worker", scriptName: ref.name, digest };
}
