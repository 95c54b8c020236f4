// Shared pieces of the benchmarks: the load generator (wrk, installed on demand), sequential latency,
// percentiles, the machine description and the result table.

import { execFileSync, spawnSync } from "node:child_process";
import { cpus, totalmem } from "node:os";
import { Agent, request } from "node:http";

export function ensureWrk(): string {
  const found = spawnSync("sh", ["-c", "command -v wrk"], { encoding: "utf8" }).stdout.trim();
  if (found) return found;
  console.error("wrk not found: installing it from Debian's packages (apt-get install -y wrk)");
  const install = spawnSync("sh", ["-c", "apt-get install -y wrk >/dev/null 2>&1 || (apt-get update >/dev/null 2>&1 && apt-get install -y wrk >/dev/null 2>&1)"], { stdio: "inherit" });
  const again = spawnSync("sh", ["-c", "command -v wrk"], { encoding: "utf8" }).stdout.trim();
  if (install.status !== 0 || !again) throw new Error("could not install wrk (apt-get install -y wrk); install it and run again");
  return again;
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

/** One request at a time over keep-alive: latency without queueing. */
export async function sequential(port: number, host: string, count: number): Promise<{ p50ms: number; p99ms: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = process.hrtime.bigint();
    await new Promise<void>((done, fail) => {
      const req = request({ host: "127.0.0.1", port, path: "/", agent, headers: { host } }, (res) => {
        res.resume();
        res.on("end", () => (res.statusCode === 200 ? done() : fail(new Error(`status ${res.statusCode}`))));
      });
      req.on("error", fail);
      req.end();
    });
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  agent.destroy();
  return { p50ms: percentile(samples, 50), p99ms: percentile(samples, 99) };
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
