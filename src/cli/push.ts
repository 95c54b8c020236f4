// `knit push PATH [--name N] [--tag T]`: bundle a module, store it, print its pinned worker:// reference.

import { resolve } from "node:path";
import { bundleModule } from "./bundle.ts";
import type { ApiClient } from "./client.ts";
import { scriptNameFor } from "./worker-ref.ts";

export interface PushOptions {
  client: ApiClient;
  path: string;
  name?: string;
  tag?: string;
}

/** Answers the pinned image reference, `worker://NAME@sha256:HEX`. */
export async function push(opts: PushOptions): Promise<string> {
  const abs = resolve(opts.path);
  const code = await bundleModule(abs);
  const pushed = await opts.client.pushScript(opts.name ?? scriptNameFor(abs), code, opts.tag ?? "latest");
  return pushed.image;
}
