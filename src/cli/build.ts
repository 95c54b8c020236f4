// `knit build --out DIR`: the platform as files workerd can serve without Knit: DIR/worker.js,
// DIR/config.capnp, DIR/kubeconfig, DIR/tls/, DIR/README.md (and DIR/token when generated). `knit start` writes the same two
// files into <state-dir>/build through `writePlatform`.

import { writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { bundleToFile, PLATFORM_ALIAS } from "./bundle.ts";
import { CONFIG_NAMES, platformConfig } from "./capnp.ts";
import { ensureDir, ensureToken, kubeconfigText, statePaths, writePrivate } from "./state.ts";
import { ensureTls } from "./tls.ts";

/** The project root (this file is src/cli/build.ts). */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/**
 * The platform worker's entry. KNIT_WORKER_ENTRY points Knit at another worker with the same contract
 * (exports default, api, Outbound, and the Store, Activator, EventLog, Pinger and SourceRunner classes), for developing the CLI or the platform separately.
 */
export function platformEntry(env: NodeJS.ProcessEnv = process.env): string {
  return env.KNIT_WORKER_ENTRY ? resolve(env.KNIT_WORKER_ENTRY) : join(PROJECT_ROOT, "src", "index.ts");
}

/**
 * The V8 heap sizes Knit runs its workerd processes with. A full collection stops the thread for as long
 * as it takes to sweep the C++ objects behind the requests made since the last one (3-4 ms a MB here);
 * on V8's defaults the first comes at 32 MB of old generation, 30-50 MB of garbage with the C++ heap, a
 * 90-190 ms pause under load. A first old-generation limit of 8 MB brings them every second or two
 * with about 10 MB (20-40 ms); a young generation of at most 2 MB keeps each scavenge short.
 * docs/eventing.md, "Garbage collection", has the measurements.
 */
export const DEFAULT_V8_FLAGS: readonly string[] = ["--initial-old-space-size=8", "--max-semi-space-size=2"];

/**
 * The V8 flags of Knit's workerd processes (platform and dispatcher): the defaults, then KNIT_V8_FLAGS
 * (space-separated), so that a flag given there overrides the default of the same name.
 */
export function v8FlagsFromEnv(env: NodeJS.ProcessEnv = process.env): string[] {
  return [...DEFAULT_V8_FLAGS, ...(env.KNIT_V8_FLAGS ?? "").split(/\s+/).filter(Boolean)];
}

export interface WritePlatformOptions {
  entry: string;
  outDir: string;
  port: number;
  apiPort: number;
  doDir: string;
  token: string;
  /** PEM key and certificate for the API socket (https); without, the API speaks plain http. */
  apiTls?: { key: string; cert: string };
  mode?: "cluster";
  podRuntime?: boolean;
  host?: string;
  /** Unix socket of the dispatcher process, when one runs beside the platform. */
  dispatcherSocket?: string;
  v8Flags?: readonly string[];
}

/** Bundles the worker and writes config.capnp next to it; answers both paths. */
export async function writePlatform(opts: WritePlatformOptions): Promise<{ worker: string; config: string }> {
  await ensureDir(opts.outDir);
  await ensureDir(opts.doDir);
  const worker = join(opts.outDir, "worker.js");
  const config = join(opts.outDir, "config.capnp");
  await bundleToFile(opts.entry, worker, PLATFORM_ALIAS);
  const text = platformConfig({
    workerFile: "worker.js",
    port: opts.port,
    apiPort: opts.apiPort,
    doDir: resolve(opts.doDir),
    token: opts.token,
    apiTls: opts.apiTls,
    mode: opts.mode,
    podRuntime: opts.podRuntime,
    host: opts.host,
    dispatcherSocket: opts.dispatcherSocket,
    v8Flags: opts.v8Flags,
  });
  // The config holds the API token: owner-only, like the token file.
  await writePrivate(config, text);
  return { worker, config };
}

export interface BuildOptions {
  out: string;
  port: number;
  apiPort: number;
  stateDir: string;
  token?: string;
  entry?: string;
}

export async function build(opts: BuildOptions): Promise<{ dir: string; config: string; worker: string; kubeconfig: string; tokenFile?: string }> {
  const dir = resolve(opts.out);
  await ensureDir(dir);
  let token = opts.token;
  let tokenFile: string | undefined;
  if (!token) {
    tokenFile = join(dir, "token");
    token = await ensureToken(tokenFile);
  }
  const doDir = statePaths(opts.stateDir).doDir;
  const apiTls = await ensureTls(join(dir, "tls"));
  const written = await writePlatform({ entry: opts.entry ?? platformEntry(), outDir: dir, port: opts.port, apiPort: opts.apiPort, doDir, token, apiTls, v8Flags: v8FlagsFromEnv() });
  const kubeconfig = join(dir, "kubeconfig");
  await writePrivate(kubeconfig, kubeconfigText(`https://127.0.0.1:${opts.apiPort}`, token, apiTls.cert));
  await writeFile(join(dir, "README.md"), readme({ dir, port: opts.port, apiPort: opts.apiPort, doDir, tokenFile }));
  return { dir, ...written, kubeconfig, tokenFile };
}

function readme(o: { dir: string; port: number; apiPort: number; doDir: string; tokenFile?: string }): string {
  const token = o.tokenFile ? `the token in \`${o.tokenFile}\`` : "the token given to `knit build --token`";
  return `# Knit platform build

Generated by \`knit build\`. Run it with workerd (the \`workerd\` npm package's binary):

    mkdir -p ${o.doDir}
    workerd serve ${join(o.dir, "config.capnp")} --experimental

- ingress: http://127.0.0.1:${o.port} (the Host header selects the Knative service)
- API: https://127.0.0.1:${o.apiPort} (self-signed certificate in \`tls/cert.pem\`; requires
  \`Authorization: Bearer <token>\`, ${token}); \`KUBECONFIG=${join(o.dir, "kubeconfig")} kubectl get ksvc\`
- state (SQLite Durable Object): ${o.doDir}; move it without rebuilding with
  \`workerd serve … --directory-path ${CONFIG_NAMES.disk}=/other/dir\`

\`config.capnp\` contains the API token: keep it private (it is written mode 0600).
`;
}
