// Runs `knit start` as users do (node bin/knit.mjs start) on free ports with a temporary state dir,
// for end-to-end tests; kubectl runs against the kubeconfig it writes.

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { request as httpRequest } from "node:http";
import { request } from "node:https";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "../../../src/cli/state.ts";

export const ROOT = resolve(fileURLToPath(new URL(".", import.meta.url)), "..", "..", "..");
export const KNIT = join(ROOT, "bin", "knit.mjs");

export interface KnitHandle {
  ingress: string;
  api: string;
  token: string;
  /** The API's self-signed certificate (PEM). */
  ca: string;
  kubeconfig: string;
  stateDir: string;
  port: number;
  apiPort: number;
  process: ChildProcess;
  /** Everything knit and workerd printed so far. */
  output(): string;
  /** Settles with knit's exit code. */
  exited: Promise<number | null>;
  /** SIGTERM, then wait for exit; answers the exit code. */
  stop(): Promise<number | null>;
  kubectl(args: string[], input?: string): { code: number | null; stdout: string; stderr: string };
  /** A raw request to the API (https, trusting its certificate); headers as given, no token added. */
  apiRequest(path: string, headers?: Record<string, string>): Promise<{ status: number; body: string }>;
  /** A request to the ingress with a Host header (global fetch does not let a caller set Host). */
  get(host: string, path?: string): Promise<{ status: number; body: string }>;
  /** Runs the knit CLI (not start) against this platform. */
  knit(args: string[], input?: string): { code: number | null; stdout: string; stderr: string };
}

export interface StartKnitOptions {
  port?: number;
  apiPort?: number;
  stateDir?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
  /** More `knit start` flags, such as --cluster. */
  args?: string[];
}

export async function startKnit(opts: StartKnitOptions = {}): Promise<KnitHandle> {
  const port = opts.port ?? (await freePort());
  const apiPort = opts.apiPort ?? (await freePort(undefined, [port]));
  const stateDir = opts.stateDir ?? mkdtempSync(join(tmpdir(), "knit-e2e-"));
  const env = { ...process.env, ...opts.env };
  const child = spawn(process.execPath, [KNIT, "start", "--port", String(port), "--api-port", String(apiPort), "--state-dir", stateDir, ...(opts.args ?? [])], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  let exitCode: number | null | undefined;
  void exited.then((c) => (exitCode = c));

  const api = `https://127.0.0.1:${apiPort}`;
  const apiRequest = (path: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; body: string }>((done, fail) => {
      const req = request(`${api}${path}`, { headers, ca: readFileSync(caFile, "utf8") }, (res) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c.toString()));
        res.on("end", () => done({ status: res.statusCode ?? 0, body }));
      });
      req.on("error", fail);
      req.end();
    });
  const tokenFile = join(stateDir, "token");
  const caFile = join(stateDir, "tls", "cert.pem");
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  // Ready when /healthz answers with the token and knit has printed its summary (examples applied).
  for (;;) {
    if (exitCode !== undefined) throw new Error(`knit start exited with ${exitCode} before /healthz answered:\n${out}`);
    if (Date.now() > deadline) {
      child.kill("SIGTERM");
      throw new Error(`knit start: /healthz did not answer in time:\n${out}`);
    }
    if (existsSync(tokenFile) && existsSync(caFile) && out.includes("Knit is running")) {
      const token = readFileSync(tokenFile, "utf8").trim();
      const ok = await apiRequest("/healthz", { authorization: `Bearer ${token}` }).then((r) => r.status === 200, () => false);
      if (ok) break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  const token = readFileSync(tokenFile, "utf8").trim();
  const kubeconfig = join(stateDir, "kubeconfig");
  const run = (cmd: string, args: string[], input?: string) => {
    const r = spawnSync(cmd, args, { cwd: ROOT, env: { ...env, KUBECONFIG: kubeconfig }, input, encoding: "utf8", timeout: 60_000 });
    return { code: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
  };
  return {
    ingress: `http://127.0.0.1:${port}`,
    api,
    token,
    ca: readFileSync(caFile, "utf8"),
    kubeconfig,
    stateDir,
    port,
    apiPort,
    process: child,
    output: () => out,
    exited,
    async stop() {
      if (exitCode === undefined) child.kill("SIGTERM");
      return exited;
    },
    apiRequest,
    get: (host, path = "/") =>
      new Promise((done, fail) => {
        const req = httpRequest({ host: "127.0.0.1", port, path, headers: { host } }, (res) => {
          let body = "";
          res.on("data", (c: Buffer) => (body += c.toString()));
          res.on("end", () => done({ status: res.statusCode ?? 0, body }));
        });
        req.on("error", fail);
        req.end();
      }),
    kubectl: (args, input) => run("kubectl", args, input),
    knit: (args, input) => run(process.execPath, [KNIT, "--state-dir", stateDir, ...args], input),
  };
}

/** Runs `knit start` expecting it to fail; answers its exit code and output. */
export function runKnitStart(args: string[], env: Record<string, string> = {}): { code: number | null; output: string } {
  const r = spawnSync(process.execPath, [KNIT, "start", ...args], { cwd: ROOT, env: { ...process.env, ...env }, encoding: "utf8", timeout: 60_000 });
  return { code: r.status, output: `${r.stdout}${r.stderr}` };
}

/** The pid of the workerd a `knit start` runs. */
export function workerdPid(knit: KnitHandle): number {
  // The platform's workerd (its config is config.capnp), not the dispatcher's beside it.
  const out = spawnSync("pgrep", ["-P", String(knit.process.pid), "-f", "workerd serve .*/config\\.capnp"], { encoding: "utf8" }).stdout.trim();
  const pid = Number(out.split("\n")[0]);
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`no workerd under knit (pid ${knit.process.pid})`);
  return pid;
}

/** The dispatcher's workerd under knit (its config is dispatcher.capnp); undefined when none runs. */
export function dispatcherPid(knit: KnitHandle): number | undefined {
  const out = spawnSync("pgrep", ["-P", String(knit.process.pid), "-f", "workerd serve .*/dispatcher\\.capnp"], { encoding: "utf8" }).stdout.trim();
  const pid = Number(out.split("\n")[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/**
 * Kills knit's workerd with SIGKILL and waits until knit has started a new one (it restarts workerd, as a
 * kubelet restarts a container) and its API answers again.
 */
export async function killWorkerd(knit: KnitHandle, timeoutMs = 30_000): Promise<void> {
  const old = workerdPid(knit);
  process.kill(old, "SIGKILL");
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (Date.now() > deadline) throw new Error(`knit did not restart workerd within ${timeoutMs} ms:\n${knit.output().slice(-2000)}`);
    let fresh: number | undefined;
    try {
      fresh = workerdPid(knit);
    } catch {
      fresh = undefined;
    }
    if (fresh && fresh !== old) {
      const health = await knit.apiRequest("/healthz", { authorization: `Bearer ${knit.token}` }).catch(() => ({ status: 0 }));
      if (health.status === 200) return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
