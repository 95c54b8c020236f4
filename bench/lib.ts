// Shared pieces of the benchmarks: tools installed on demand (wrk, nginx), the load generator,
// sequential latency, percentiles, the machine and versions, the result tables and the report shape
// the aggregate runner (bench/all.ts) collects.

import { execFile, execFileSync, spawnSync } from "node:child_process";
import { promisify } from "node:util";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";

/** A target figure: what was measured, the target, and PASS / MISS (or "-" when only reported). */
export interface Figure {
  figure: string;
  value: string;
  target: string;
  result: "PASS" | "MISS" | "-";
}

/** What each bench hands back: the text it prints (also written to docs/benchmarks.md) and its figures. */
export interface BenchReport {
  key: string;
  title: string;
  text: string;
  figures: Figure[];
}

export const verdict = (ok: boolean): "PASS" | "MISS" => (ok ? "PASS" : "MISS");
export const reported = (figure: string, value: string): Figure => ({ figure, value, target: "(reported)", result: "-" });
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function figuresTable(figures: Figure[]): string {
  return table(["figure", "value", "target", "result"], figures.map((f) => [f.figure, f.value, f.target, f.result]));
}

function which(cmd: string): string | undefined {
  const dirs = [...(process.env.PATH ?? "").split(":"), "/usr/sbin", "/sbin", "/usr/bin"];
  return dirs.filter(Boolean).map((d) => join(d, cmd)).find((p) => existsSync(p));
}

/** A command from Debian's packages, installed with apt-get when missing (services are not started:
 * the Debian images' policy-rc.d refuses it; the benches run their own copy on a free port). */
export function ensureTool(cmd: string, pkg: string): string {
  const found = which(cmd);
  if (found) return found;
  console.error(`${cmd} not found: installing it from Debian's packages (apt-get install -y ${pkg})`);
  const install = spawnSync("sh", ["-c", `apt-get install -y ${pkg} >/dev/null 2>&1 || (apt-get update >/dev/null 2>&1 && apt-get install -y ${pkg} >/dev/null 2>&1)`], { stdio: "inherit" });
  const again = which(cmd);
  if (install.status !== 0 || !again) throw new Error(`could not install ${cmd} (apt-get install -y ${pkg}); install it and run again`);
  return again;
}

export function ensureWrk(): string {
  return ensureTool("wrk", "wrk");
}

/** Polls `probe` every 100 ms until true; throws after `timeoutMs`. */
export async function waitFor(what: string, probe: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(100);
  }
}
export interface LoadResult {
  rps: number;
  p50ms: number;
  p99ms: number;
}

function toMs(v: string): number {
  const m = v.match(/^([\d.]+)(us|ms|s)$/);
  if (!m) return NaN;
  const n = Number(m[1]);
  return m[2] === "us" ? n / 1000 : m[2] === "s" ? n * 1000 : n;
}

/** wrk against 127.0.0.1 only, bounded by duration. */
export function wrk(url: string, host: string, seconds: number, connections: number): LoadResult {
  if (!/^http:\/\/127\.0\.0\.1:\d+\//.test(url)) throw new Error(`refusing to load anything but 127.0.0.1: ${url}`);
  const out = execFileSync(ensureWrk(), ["-t1", `-c${connections}`, `-d${seconds}s`, "--latency", "-H", `Host: ${host}`, url], { encoding: "utf8" });
  const rps = Number(out.match(/Requests\/sec:\s+([\d.]+)/)?.[1]);
  const p50 = toMs(out.match(/\s50%\s+(\S+)/)?.[1] ?? "");
  const p99 = toMs(out.match(/\s99%\s+(\S+)/)?.[1] ?? "");
  const non2xx = out.match(/Non-2xx or 3xx responses:\s+(\d+)/)?.[1];
  if (non2xx) throw new Error(`${non2xx} non-2xx responses from ${url} (Host ${host})`);
  return { rps, p50ms: p50, p99ms: p99 };
}

/** One request at a time over keep-alive (latency without queueing), after `warmup` requests, measured by
 * a Node process of its own (bench/sequential-client.mjs). */
export async function sequential(port: number, host: string, count: number, warmup = 500): Promise<{ p50ms: number; p99ms: number; requests: number }> {
  const client = join(import.meta.dirname, "sequential-client.mjs");
  const { stdout } = await promisify(execFile)(process.execPath, [client, String(port), host, String(warmup), String(count)], { encoding: "utf8", timeout: 300_000 });
  return JSON.parse(stdout) as { p50ms: number; p99ms: number; requests: number };
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export function machine(): string {
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  return `${cpus().length} cores (${cpu}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
}

export function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map((c) => (typeof c === "number" ? c.toFixed(c >= 100 ? 0 : 2) : c)))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => String(r[i]).length)));
  const line = (r: (string | number)[]) => `| ${r.map((c, i) => String(c).padEnd(widths[i])).join(" | ")} |`;
  return [line(cells[0]), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...cells.slice(1).map(line)].join("\n");
}

export function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** The 1-, 5- and 15-minute load averages, as `uptime` prints them. */
export function loadAverages(): string {
  return loadavg().map((l) => l.toFixed(2)).join(", ");
}

/** Versions of what the figures depend on: workerd (npm package and binary), Node, nginx, wrk. */
export function versions(): string {
  const root = join(import.meta.dirname, "..");
  const pkg = (name: string) => {
    try {
      return JSON.parse(readFileSync(join(root, "node_modules", name, "package.json"), "utf8")).version as string;
    } catch {
      return "?";
    }
  };
  const first = (cmd: string | undefined, args: string[], pattern: RegExp) => {
    if (!cmd) return "not installed";
    const r = spawnSync(cmd, args, { encoding: "utf8" });
    return `${r.stdout}\n${r.stderr}`.match(pattern)?.[1] ?? "?";
  };
  const workerd = first(join(root, "node_modules", ".bin", "workerd"), ["--version"], /workerd (\S+)/);
  const nginx = first(which("nginx"), ["-v"], /nginx\/(\S+)/);
  const wrkVersion = first(which("wrk"), ["--version"], /wrk (\S+)/);
  return `workerd ${pkg("workerd")} (binary ${workerd}), Node ${process.version}, nginx ${nginx}, wrk ${wrkVersion}`;
}

/** A `workerd serve` process of this run: its command line names the config (the platform's, or "dispatcher.capnp") in this run's state dir. */
export function workerdPid(stateDir: string, config = "config.capnp"): number {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let args: string[];
    try {
      args = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
    } catch {
      continue; // gone, or not ours to read
    }
    if (/(^|\/)workerd$/.test(args[0] ?? "") && args[1] === "serve" && args.some((a) => a.startsWith(stateDir + "/") && a.endsWith(`/${config}`))) found.push(Number(entry));
  }
  if (found.length !== 1) throw new Error(`expected one workerd process for ${stateDir} (${config}), found ${found.length}`);
  return found[0];
}

/** VmRSS and RssAnon of a process, in MB (10^6 bytes; /proc's "kB" is KiB). */
export function rss(pid: number): { rss: number; anon: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const mb = (key: string) => (Number(status.match(new RegExp(`^${key}:\\s+(\\d+) kB`, "m"))?.[1] ?? NaN) * 1024) / 1e6;
  return { rss: mb("VmRSS"), anon: mb("RssAnon") };
}

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ 100)
}
