// The state directory: token, kubeconfig, build output, Durable Object storage, first-start marker.

import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { stringify } from "yaml";

export const DEFAULT_PORT = 8080;
export const DEFAULT_API_PORT = 8081;
export const DEFAULT_STATE_DIR = ".knit";

export function statePaths(stateDir: string) {
  const dir = resolve(stateDir);
  return {
    dir,
    token: join(dir, "token"),
    kubeconfig: join(dir, "kubeconfig"),
    build: join(dir, "build"),
    worker: join(dir, "build", "worker.js"),
    config: join(dir, "build", "config.capnp"),
    doDir: join(dir, "do"),
    initialized: join(dir, ".initialized"),
    tls: join(dir, "tls"),
    pid: join(dir, "knit.pid"),
  };
}

/** A fresh bearer token: 32 random bytes, hex. */
export function generateToken(): string {
  return randomBytes(32).toString("hex");
}

/** Writes a file only its owner may read (chmod as well: mode on create is subject to the umask). */
export async function writePrivate(path: string, content: string): Promise<void> {
  await writeFile(path, content, { mode: 0o600 });
  await chmod(path, 0o600);
}

export async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

/** The token kept in the state dir, created on first use. */
/** The API token: KNIT_API_TOKEN when set (a cluster passes its Secret so), else the one made on first start. */
export async function ensureToken(tokenFile: string, given: string | undefined = process.env.KNIT_API_TOKEN): Promise<string> {
  if (given?.trim()) {
    await writePrivate(tokenFile, `${given.trim()}\n`);
    return given.trim();
  }
  const existing = (await readIfExists(tokenFile))?.trim();
  if (existing) return existing;
  const token = generateToken();
  await writePrivate(tokenFile, `${token}\n`);
  return token;
}

/** A kubeconfig for Knit's API; `ca` is the PEM certificate to trust for an https server. */
export function kubeconfigText(server: string, token: string, ca?: string, namespace = "default"): string {
  const cluster = ca ? { server, "certificate-authority-data": Buffer.from(ca).toString("base64") } : { server };
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "knit", cluster }],
    users: [{ name: "knit", user: { token } }],
    contexts: [{ name: "knit", context: { cluster: "knit", user: "knit", namespace } }],
    "current-context": "knit",
    preferences: {},
  });
}

export interface KubeconfigCredentials {
  server: string;
  token?: string;
  namespace?: string;
  /** PEM CA from certificate-authority-data. */
  ca?: string;
}

/** Server, token and namespace of a kubeconfig's current context (only the fields Knit writes). */
export function parseKubeconfig(doc: unknown): KubeconfigCredentials | undefined {
  type Named<T> = { name?: string } & T;
  const cfg = doc as {
    "current-context"?: string;
    contexts?: Named<{ context?: { cluster?: string; user?: string; namespace?: string } }>[];
    clusters?: Named<{ cluster?: { server?: string; "certificate-authority-data"?: string } }>[];
    users?: Named<{ user?: { token?: string } }>[];
  } | null;
  if (!cfg || typeof cfg !== "object") return undefined;
  const ctx = cfg.contexts?.find((c) => c.name === cfg["current-context"])?.context;
  if (!ctx) return undefined;
  const cluster = cfg.clusters?.find((c) => c.name === ctx.cluster)?.cluster;
  if (!cluster?.server) return undefined;
  const token = cfg.users?.find((u) => u.name === ctx.user)?.user?.token;
  const caData = cluster["certificate-authority-data"];
  const ca = caData ? Buffer.from(caData, "base64").toString("utf8") : undefined;
  return { server: cluster.server, token, namespace: ctx.namespace, ...(ca ? { ca } : {}) };
}

export async function ensureDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
}

/** Resolves with undefined when `port` can be bound on `host`, else with the error code (EADDRINUSE, EACCES…). */
export function probePort(port: number, host = "127.0.0.1"): Promise<string | undefined> {
  return new Promise((done) => {
    const server = createServer();
    server.once("error", (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
    server.listen({ port, host, exclusive: true }, () => server.close(() => done(undefined)));
  });
}

/**
 * An ephemeral port free right now, and none of `avoid` (ports chosen a moment ago and not yet bound,
 * which the system may hand out again). For tests and tools; a race with other processes remains.
 */
export async function freePort(host = "127.0.0.1", avoid: readonly number[] = []): Promise<number> {
  for (;;) {
    const port = await anyFreePort(host);
    if (!avoid.includes(port)) return port;
  }
}

/** `count` distinct free ports (an ingress and an API port, say), none of them handed out twice. */
export async function freePorts(count: number, host = "127.0.0.1"): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) ports.push(await freePort(host, ports));
  return ports;
}

function anyFreePort(host: string): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen({ port: 0, host }, () => {
      const addr = server.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      server.close(() => done(port));
    });
  });
}

/** Parses a port given on the command line or in the environment; `source` names where it came from. */
export function parsePort(value: string | undefined, fallback: number, source: string): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`${source}: "${value}" is not a port number (1-65535)`);
  return n;
}

/**
 * The pid of another live `knit start` using this state dir (its pid file names a running process
 * whose command line mentions knit), or undefined. Two workerd processes must not share one SQLite store.
 */
export async function liveOwner(pidFile: string): Promise<number | undefined> {
  const pid = Number((await readIfExists(pidFile))?.trim());
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return undefined;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EPERM") return undefined;
  }
  // A recycled pid belongs to something else: on Linux, check the command line.
  const cmdline = await readIfExists(`/proc/${pid}/cmdline`).catch(() => undefined);
  if (cmdline !== undefined && !cmdline.includes("knit")) return undefined;
  return pid;
}
