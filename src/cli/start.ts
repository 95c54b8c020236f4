// `knit start`: build the platform, run real `workerd serve`, wait for the API, apply the examples on
// first start, print how to reach everything; stop workerd cleanly on Ctrl-C / SIGTERM.

import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { applySources } from "./apply.ts";
import { ensureTls } from "./tls.ts";
import { ApiClient } from "./client.ts";
import { PROJECT_ROOT, platformEntry, v8FlagsFromEnv, writePlatform } from "./build.ts";
import { livenessOptions, probeHealth, watchLiveness } from "./liveness.ts";
import { startDispatcher } from "./dispatcher.ts";
import {
  DEFAULT_API_PORT, DEFAULT_PORT, DEFAULT_STATE_DIR, ensureDir, ensureToken, kubeconfigText, liveOwner, probePort, statePaths,
  writePrivate,
} from "./state.ts";

export interface StartOptions {
  port?: number;
  apiPort?: number;
  stateDir?: string;
  /** Worker entry to bundle (default src/index.ts, or KNIT_WORKER_ENTRY). */
  entry?: string;
  /** "cluster": a stand-in Kubernetes API server (built-in kinds and CRDs) instead of Knit's kinds. */
  mode?: "cluster";
  /** A Kubernetes bridge runs pod revisions (images other than worker://) for this Knit. */
  podRevisions?: boolean;
  /** Address the ingress and API listen on (default 127.0.0.1; 0.0.0.0 in a cluster). */
  host?: string;
  /** Manifests applied on first start; null skips them. Default examples/hello. */
  examples?: string | null;
  /** Receives workerd's output; default: copied to this process's stdout/stderr. */
  output?: (stream: "stdout" | "stderr", chunk: Buffer) => void;
  healthTimeoutMs?: number;
  log?: (line: string) => void;
  /** Run the dispatcher process (default: unless KNIT_DISPATCHER=off). */
  dispatcher?: boolean;
  /** Flags for the V8 of both workerd processes (default: KNIT_V8_FLAGS). */
  v8Flags?: readonly string[];
}

export interface Platform {
  ingressUrl: string;
  apiUrl: string;
  token: string;
  /** PEM certificate of the API (self-signed): trust it to talk to apiUrl. */
  ca: string;
  stateDir: string;
  kubeconfig: string;
  client: ApiClient;
  /** Settles when workerd exits, for whatever reason. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Objects applied on this start (first start only). */
  applied: string[];
  stop(): Promise<void>;
  /** SIGKILL: for a workerd that no longer answers. */
  kill(): void;
}

export class PortInUseError extends Error {
  readonly port: number;
  constructor(port: number, role: string, flag: string, envVar: string, code: string) {
    const why = code === "EADDRINUSE" ? "is already in use" : `cannot be used (${code})`;
    super(`port ${port} on 127.0.0.1 ${why}: it is the ${role} port; choose another with ${flag} or ${envVar}`);
    this.port = port;
  }
}

/** workerd's binary from the `workerd` npm package (never from PATH: the version must match the config). */
export function workerdBinary(): string {
  const require = createRequire(import.meta.url);
  const bin = require.resolve("workerd/bin/workerd");
  if (!existsSync(bin)) throw new Error(`workerd binary missing at ${bin}; run npm ci`);
  return bin;
}

export async function checkPorts(port: number, apiPort: number): Promise<void> {
  if (port === apiPort) throw new Error(`--port and --api-port are both ${port}; they must differ`);
  const ingressProblem = await probePort(port);
  if (ingressProblem) throw new PortInUseError(port, "ingress", "--port", "KNIT_PORT", ingressProblem);
  const apiProblem = await probePort(apiPort);
  if (apiProblem) throw new PortInUseError(apiPort, "API", "--api-port", "KNIT_API_PORT", apiProblem);
}

/** KNIT_DISPATCHER=off: deliveries are made by the platform's own workerd (one process, one thread). */
export function dispatcherWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  return !/^(off|0|false|no)$/i.test(env.KNIT_DISPATCHER ?? "");
}

/** Keeps the last `max` characters of a stream, for error messages. */
function tail(max: number) {
  let text = "";
  return {
    push(chunk: Buffer) {
      text = (text + chunk.toString("utf8")).slice(-max);
    },
    get text() {
      return text.trim();
    },
  };
}

export async function startPlatform(opts: StartOptions = {}): Promise<Platform> {
  const port = opts.port ?? DEFAULT_PORT;
  const apiPort = opts.apiPort ?? DEFAULT_API_PORT;
  const log = opts.log ?? ((line: string) => console.error(line));
  await checkPorts(port, apiPort);

  const paths = statePaths(opts.stateDir ?? DEFAULT_STATE_DIR);
  const owner = await liveOwner(paths.pid);
  if (owner) throw new Error(`the state dir ${paths.dir} is in use by another knit start (pid ${owner}); stop it or use --state-dir`);
  await ensureDir(paths.dir);
  await writeFile(paths.pid, `${process.pid}\n`);
  const token = await ensureToken(paths.token);
  // https: kubectl sends the kubeconfig's token to https servers only (see tls.ts).
  const apiTls = await ensureTls(paths.tls);
  const apiUrl = `https://127.0.0.1:${apiPort}`;
  const ingressUrl = `http://127.0.0.1:${port}`;
  await writePrivate(paths.kubeconfig, kubeconfigText(apiUrl, token, apiTls.cert));
  // Cluster mode serves the Kubernetes API only: no events to deliver, no dispatcher.
  const v8Flags = opts.v8Flags ?? v8FlagsFromEnv();
  // The dispatcher listens on a unix socket in a directory of its own (mkdtemp: mode 0700), not on a TCP
  // port: no port to race other processes for, and no address anyone else on the host can reach.
  const dispatcherDir = opts.mode === "cluster" || !(opts.dispatcher ?? dispatcherWanted()) ? undefined : await mkdtemp(join(tmpdir(), "knit-dispatch-"));
  const dispatcherSocket = dispatcherDir && join(dispatcherDir, "dispatcher.sock");
  const { config } = await writePlatform({ entry: opts.entry ?? platformEntry(), outDir: paths.build, port, apiPort, doDir: paths.doDir, token, apiTls, mode: opts.mode, podRuntime: opts.podRevisions, host: opts.host, dispatcherSocket, v8Flags });

  const output = opts.output ?? ((stream, chunk) => (stream === "stdout" ? process.stdout : process.stderr).write(chunk));
  const dispatcher = dispatcherSocket === undefined ? undefined : await startDispatcher({ buildDir: paths.build, socket: dispatcherSocket, token, v8Flags, workerd: workerdBinary(), output, log });
  const child = spawn(workerdBinary(), ["serve", config, "--experimental"], { stdio: ["ignore", "pipe", "pipe"] });
  const errTail = tail(8000);
  child.stdout?.on("data", (c: Buffer) => output("stdout", c));
  child.stderr?.on("data", (c: Buffer) => {
    errTail.push(c);
    output("stderr", c);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => {
    child.once("exit", (code, signal) => done({ code, signal }));
    child.once("error", (err) => {
      errTail.push(Buffer.from(String(err)));
      done({ code: 127, signal: null });
    });
  });
  // The dispatcher belongs to this workerd: when it exits (stopped or crashed), so does the dispatcher.
  const stopDispatcher = async () => {
    await dispatcher?.stop();
    if (dispatcherDir) await rm(dispatcherDir, { recursive: true, force: true });
  };
  void exited.then(stopDispatcher);
  const stop = async () => {
    await stopChild(child, exited);
    await stopDispatcher();
    await rm(paths.pid, { force: true });
  };

  const client = new ApiClient({ server: apiUrl, token, ca: apiTls.cert });
  try {
    await waitForHealth(client, exited, errTail, opts.healthTimeoutMs ?? 30_000);
  } catch (err) {
    await stop();
    throw err;
  }

  const applied: string[] = [];
  if (!existsSync(paths.initialized)) {
    const examples = opts.examples === undefined ? join(PROJECT_ROOT, "examples", "hello") : opts.examples;
    if (examples && existsSync(examples)) {
      const result = await applySources([examples], { client, namespace: "default", log: (line) => applied.push(line) }).catch(
        async (err) => {
          await stop(); // a throw here would otherwise leave workerd running with no owner
          throw err;
        },
      );
      for (const line of applied) log(line);
      for (const e of result.errors) log(`warning: applying the examples: ${e.message}`);
      // Only a clean apply counts as initialized, so a failed one is retried on the next start.
      if (!result.errors.length) await writeFile(paths.initialized, `${new Date().toISOString()}\n`);
    } else {
      await writeFile(paths.initialized, `${new Date().toISOString()}\n`);
    }
  }
  const kill = () => void child.kill("SIGKILL");
  return { ingressUrl, apiUrl, token, ca: apiTls.cert, stateDir: paths.dir, kubeconfig: paths.kubeconfig, client, exited, applied, stop, kill };
}

async function waitForHealth(
  client: ApiClient,
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>,
  errTail: { text: string },
  timeoutMs: number,
): Promise<void> {
  let dead: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  void exited.then((e) => (dead = e));
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    if (dead) {
      throw new Error(`workerd exited (${dead.signal ?? `code ${dead.code}`}) before the API answered /healthz:\n${errTail.text || "(no output)"}`);
    }
    try {
      await client.get("/healthz", "text/plain");
      return;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the API did not answer /healthz within ${timeoutMs / 1000}s (last: ${last})\nworkerd stderr:\n${errTail.text || "(none)"}`);
}

async function stopChild(child: ChildProcess, exited: Promise<unknown>, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill(signal);
  const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}

interface ServiceObj {
  metadata?: { name?: string };
  status?: { url?: string; conditions?: { type?: string; status?: string; reason?: string; message?: string }[] };
}

/** Knative Services in `default` and whether they are Ready, waiting briefly for fresh ones to become Ready. */
async function servicesWhenReady(client: ApiClient, waitMs: number): Promise<ServiceObj[]> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const list = await client.get<{ items?: ServiceObj[] }>("/apis/serving.knative.dev/v1/namespaces/default/services").catch(() => ({ items: [] }));
    const items = list.items ?? [];
    if (items.every(isReady) || Date.now() > deadline) return items;
    await new Promise((r) => setTimeout(r, 250));
  }
}

function isReady(s: ServiceObj): boolean {
  return !!s.status?.url && s.status.conditions?.find((c) => c.type === "Ready")?.status === "True";
}

/** The lines `knit start` prints once the platform answers. */
export function summary(p: { ingressUrl: string; apiUrl: string; kubeconfig: string; stateDir: string; services: ServiceObj[] }): string {
  const lines = [
    "",
    "Knit is running.",
    `  ingress:     ${p.ingressUrl}   (the Host header selects the service)`,
    `  API:         ${p.apiUrl}   (TLS with a self-signed certificate: ${join(p.stateDir, "tls", "cert.pem")})`,
    `  kubeconfig:  ${p.kubeconfig}`,
    "",
    `  export KUBECONFIG=${p.kubeconfig}`,
    "  kubectl get ksvc",
  ];
  if (p.services.length) lines.push("");
  for (const s of p.services) {
    if (isReady(s)) {
      lines.push(`  curl -H 'Host: ${new URL(s.status!.url!).host}' ${p.ingressUrl}/`);
    } else {
      const ready = s.status?.conditions?.find((c) => c.type === "Ready");
      const why = ready?.reason ? ` (${ready.reason}${ready.message ? `: ${ready.message}` : ""})` : "";
      lines.push(`  # ${s.metadata?.name} is not Ready yet${why}; see: knit describe ksvc ${s.metadata?.name}`);
    }
  }
  lines.push("", "Press Ctrl-C to stop.", "");
  return lines.join("\n");
}

const RESTART_DELAY_MS = 100;
const MAX_CRASHES = 5;
const CRASH_WINDOW_MS = 60_000;

/** The CLI command: runs until a signal (or workerd crashing over and over); answers the process exit code. */
export async function runStart(opts: StartOptions): Promise<number> {
  let platform: Platform | undefined;
  let stopping = false;
  // Installed before workerd is spawned: a Ctrl-C during start-up must not leave workerd running.
  const onSignal = (sig: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.error(`\n${sig}: stopping workerd…`);
    if (platform) void platform.stop();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    platform = await startPlatform(opts);
    if (stopping) {
      await platform.stop();
      return 0;
    }
    if (opts.mode === "cluster") {
      console.log(`Knit is running in cluster mode: a stand-in Kubernetes API (built-in kinds the bridge uses, and CRDs).\n  API:         ${platform.apiUrl}\n  kubeconfig:  ${platform.kubeconfig}\n`);
    } else {
      const services = await servicesWhenReady(platform.client, 15_000);
      if (!stopping) console.log(summary({ ...platform, services }));
    }
    // Like a kubelet, knit restarts workerd when it dies (a crash, an out-of-memory abort, a kill): the
    // state is on disk, so the platform comes back as it was. A crash loop gives up.
    const crashes: number[] = [];
    const liveness = livenessOptions();
    for (;;) {
      const current = platform;
      const stopProbe = watchLiveness(() => probeHealth(current.apiUrl, current.token, current.ca, liveness.timeoutMs), (failures) => {
        console.error(`knit: workerd did not answer its liveness probe ${failures} times in a row; killing it`);
        current.kill();
      }, liveness);
      const { code, signal } = await platform.exited;
      stopProbe();
      if (stopping) {
        await platform.stop(); // removes the pid file
        return 0;
      }
      const now = Date.now();
      crashes.push(now);
      while (crashes.length && now - crashes[0] > CRASH_WINDOW_MS) crashes.shift();
      if (crashes.length > MAX_CRASHES) {
        console.error(`knit: workerd exited unexpectedly (${signal ?? `code ${code}`}) ${crashes.length} times within ${CRASH_WINDOW_MS / 1000}s; giving up`);
        await platform.stop();
        return code || 1;
      }
      const delay = RESTART_DELAY_MS * 2 ** (crashes.length - 1);
      console.error(`knit: workerd exited unexpectedly (${signal ?? `code ${code}`}); restarting it in ${delay} ms`);
      await new Promise((r) => setTimeout(r, delay));
      if (stopping) return 0;
      platform = await startPlatform({ ...opts, examples: null });
      console.error(`knit: workerd restarted (ingress ${platform.ingressUrl}, API ${platform.apiUrl})`);
      if (stopping) {
        await platform.stop();
        return 0;
      }
    }
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
