// The platform worker run through the Miniflare API (for `knit dev` and `knit/testing`): the same bundle
// and bindings as `knit start`, with the ingress on Miniflare's socket and the API on a direct socket.

import { Miniflare, convertV4MiniflareOptions } from "miniflare";
import { join } from "node:path";
import { bundleToFile, PLATFORM_ALIAS } from "./bundle.ts";
import { platformEntry } from "./build.ts";
import { ApiClient } from "./client.ts";

export interface MiniflarePlatformOptions {
  /** 0 picks a free port. */
  port: number;
  apiPort: number;
  token: string;
  /** Where the bundle goes and, when `persist` is set, where the Store's SQLite lives. */
  workDir: string;
  persist: boolean;
}

export interface MiniflarePlatform {
  mf: Miniflare;
  ingressUrl: string;
  apiUrl: string;
  client: ApiClient;
  dispose(): Promise<void>;
}

export async function startMiniflarePlatform(opts: MiniflarePlatformOptions): Promise<MiniflarePlatform> {
  const script = join(opts.workDir, "worker.js");
  await bundleToFile(platformEntry(), script, PLATFORM_ALIAS);
  // Miniflare 5 takes a new options shape; the single-worker (v4) shape converts into it.
  const mf = new Miniflare(convertV4MiniflareOptions({
    host: "127.0.0.1",
    port: opts.port,
    ...(opts.persist ? { resourcePersistencePath: join(opts.workDir, "state") } : {}),
    name: "knit",
    modules: true,
    scriptPath: script,
    modulesRoot: opts.workDir,
    compatibilityDate: "2025-09-01",
    compatibilityFlags: ["nodejs_compat"],
    durableObjects: { STORE: { className: "Store", useSQLite: true }, ACTIVATOR: { className: "Activator", useSQLite: true }, EVENTS: { className: "EventLog", useSQLite: true }, PINGERS: { className: "Pinger", useSQLite: true }, RUNNERS: { className: "SourceRunner", useSQLite: true } },
    workerLoaders: { LOADER: {} },
    bindings: { API_TOKEN: opts.token },
    unsafeDirectSockets: [{ host: "127.0.0.1", port: opts.apiPort, entrypoint: "api" }],
  }));
  const ingress = await mf.ready;
  const api = await mf.unsafeGetDirectURL("knit", "api");
  const apiUrl = api.toString().replace(/\/$/, "");
  return {
    mf,
    ingressUrl: ingress.toString().replace(/\/$/, ""),
    apiUrl,
    client: new ApiClient({ server: apiUrl, token: opts.token }),
    dispose: () => mf.dispose(),
  };
}
