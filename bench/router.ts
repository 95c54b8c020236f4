// Router benchmark, side by side in one run: the full Knit path (ingress → routing table → revision
// isolate) for one revision and for a 50/50 split over two; the same isolate called directly from a
// minimal worker; and nginx splitting 50/50 (`split_clients`) over two workers serving the same code.
//   npm run bench:router        (BENCH_SECONDS, BENCH_CONNECTIONS, BENCH_SEQUENTIAL, BENCH_NGINX_WORKERS to tune)

import type { ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startPlatform, type Platform } from "../src/cli/start.ts";
import { freePort } from "../src/cli/state.ts";
import { applySources } from "../src/cli/apply.ts";
import { ensureWrk, figuresTable, machine, reported, sequential, table, verdict, waitFor, wrk, type BenchReport, type LoadResult } from "./lib.ts";
import { startDirectWorker, startLoaderPair } from "./direct.ts";
import { ensureNginx, nginxSummary, startHelloPair, startNginx } from "./nginx.ts";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const SEQUENTIAL = Number(process.env.BENCH_SEQUENTIAL ?? 3000);
const HALF = Math.max(1, Math.round(SECONDS / 2));
const HELLO = join(import.meta.dirname, "..", "examples", "hello", "hello.ts");
const HOST = "bench.default.example.com";
const SPLIT_HOST = "bench-split.default.example.com";
const ACTIVATOR_HOST = "bench-activator.default.example.com";

/** A Service whose warm path bypasses the activator (target-burst-capacity 0, one instance kept warm)
 * or keeps it in the path (-1); `revision` names the template, `traffic` is appended as given. */
function service(name: string, tbc: string, revision?: string, traffic = ""): string {
  return `apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: ${name}
spec:
  template:
    metadata:${revision ? `\n      name: ${revision}` : ""}
      annotations:
        autoscaling.knative.dev/target-burst-capacity: "${tbc}"
        autoscaling.knative.dev/min-scale: "1"
    spec:
      containers:
        - image: worker://${HELLO}
          env:
            - name: TARGET
              value: World
${traffic}`;
}

async function apply(platform: Platform, dir: string, file: string, yaml: string): Promise<void> {
  const path = join(dir, file);
  writeFileSync(path, yaml);
  const applied = await applySources([path], { client: platform.client, namespace: "default", log: () => {} });
  if (applied.errors.length) throw applied.errors[0];
}

/** `count` sequential requests; how many answers came from each revision (x-knit-revision). */
async function spread(port: number, host: string, count: number): Promise<string> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const seen = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const rev = await new Promise<string>((done, fail) => {
      const req = request({ host: "127.0.0.1", port, path: "/", agent, headers: { host } }, (res) => {
        res.resume();
        res.on("end", () => (res.statusCode === 200 ? done(String(res.headers["x-knit-revision"])) : fail(new Error(`status ${res.statusCode} from ${host}`))));
      });
      req.on("error", fail);
      req.end();
    });
    seen.set(rev, (seen.get(rev) ?? 0) + 1);
  }
  agent.destroy();
  return [...seen].sort().map(([rev, n]) => `${rev} ${n}`).join(", ");
}

interface Path {
  label: string;
  port: number;
  host: string;
  load?: LoadResult;
  seq?: { p50ms: number; p99ms: number; requests: number };
}

export async function runRouter(): Promise<BenchReport> {
  ensureWrk();
  ensureNginx();
  const dir = mkdtempSync(join(tmpdir(), "knit-bench-router-"));
  const [port, apiPort, directPort, pairA, pairB, nginxPort, loaderA, loaderB, nginxLoaderPort] = await Promise.all(Array.from({ length: 9 }, () => freePort()));
  const children: ChildProcess[] = [];
  let platform: Platform | undefined;
  const stop = async () => {
    for (const c of children) c.kill();
    await platform?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  const onInt = () => void stop().then(() => process.exit(130));
  process.once("SIGINT", onInt);
  try {
    platform = await startPlatform({ port, apiPort, stateDir: join(dir, "state"), examples: null, output: () => {}, log: () => {} });
    await apply(platform, dir, "bench.yaml", `${service("bench", "0")}---\n${service("bench-activator", "-1")}`);
    // The split: revision v1 first (as on Knative, it must exist before traffic names it), then v2 and 50/50.
    await apply(platform, dir, "split-1.yaml", service("bench-split", "0", "bench-split-v1"));
    await apply(platform, dir, "split-2.yaml", service("bench-split", "0", "bench-split-v2",
      "  traffic:\n    - revisionName: bench-split-v1\n      percent: 50\n    - revisionName: bench-split-v2\n      percent: 50\n"));
    children.push(await startDirectWorker(dir, directPort, "one isolate"));
    children.push(await startHelloPair(dir, [pairA, pairB]));
    children.push(await startNginx(dir, nginxPort, [pairA, pairB]));
    children.push(await startLoaderPair(dir, [loaderA, loaderB]));
    children.push(await startNginx(dir, nginxLoaderPort, [loaderA, loaderB], "nginx-loader"));
    // Ready when answering (global fetch cannot set Host: node:http through spread()), both split revisions too.
    for (const host of [HOST, ACTIVATOR_HOST]) await waitFor(host, () => spread(port, host, 1).then(() => true, () => false), 30_000);
    await waitFor("both revisions of bench-split", async () => (await spread(port, SPLIT_HOST, 20).catch(() => "")).split(",").length === 2, 30_000);

    const paths: Path[] = [
      { label: "Knit router → revision isolate", port, host: HOST },
      { label: "minimal worker → same isolate (baseline)", port: directPort, host: HOST },
      { label: "Knit router, 50/50 split over 2 revisions", port, host: SPLIT_HOST },
      { label: "nginx split_clients 50/50 → 2 workers", port: nginxPort, host: HOST },
      { label: "Knit router → activator → isolate (TBC -1)", port, host: ACTIVATOR_HOST },
      { label: "nginx split_clients 50/50 → 2 loader isolates", port: nginxLoaderPort, host: HOST },
    ];
    const split = { knit: await spread(port, SPLIT_HOST, 1000), nginx: await spread(nginxPort, HOST, 1000), nginxLoader: await spread(nginxLoaderPort, HOST, 1000) };
    for (const p of paths) wrk(`http://127.0.0.1:${p.port}/`, p.host, 2, CONNECTIONS);
    // Two runs of SECONDS/2 per path, in order and then in reverse order, so that drift in the machine's
    // load (other work, the platform settling) weighs on every path alike; the figures are their means.
    const runs = new Map<Path, LoadResult[]>(paths.map((p) => [p, []]));
    for (const order of [paths, [...paths].reverse()]) {
      for (const p of order) runs.get(p)!.push(wrk(`http://127.0.0.1:${p.port}/`, p.host, HALF, CONNECTIONS));
    }
    for (const p of paths) {
      const r = runs.get(p)!;
      const avg = (f: (l: LoadResult) => number) => r.reduce((a, l) => a + f(l), 0) / r.length;
      p.load = { rps: avg((l) => l.rps), p50ms: avg((l) => l.p50ms), p99ms: avg((l) => l.p99ms) };
    }
    for (const p of paths) p.seq = await sequential(p.port, p.host, SEQUENTIAL);
    const [knit, direct, knitSplit, nginx, activator, nginxLoader] = paths.map((p) => ({ ...p.load!, seq: p.seq! }));

    const figures = [
      { figure: "throughput ratio (Knit / direct)", value: (knit.rps / direct.rps).toFixed(3), target: ">= 0.80", result: verdict(knit.rps / direct.rps >= 0.8) },
      { figure: "throughput ratio (Knit / nginx split)", value: (knit.rps / nginx.rps).toFixed(3), target: ">= 1.00", result: verdict(knit.rps / nginx.rps >= 1) },
      { figure: "throughput ratio (Knit 50/50 split / nginx split)", value: (knitSplit.rps / nginx.rps).toFixed(3), target: ">= 1.00", result: verdict(knitSplit.rps / nginx.rps >= 1) },
      { figure: "throughput ratio (Knit 50/50 split / nginx split over loader isolates)", value: (knitSplit.rps / nginxLoader.rps).toFixed(3), target: ">= 1.00", result: verdict(knitSplit.rps / nginxLoader.rps >= 1) },
      { figure: "added sequential p50 (ms, Knit − direct)", value: (knit.seq.p50ms - direct.seq.p50ms).toFixed(3), target: "<= 0.200", result: verdict(knit.seq.p50ms - direct.seq.p50ms <= 0.2) },
      reported("sequential p50 ratio (Knit split / nginx split)", (knitSplit.seq.p50ms / nginx.seq.p50ms).toFixed(2)),
      reported("p99 under load ratio (Knit split / nginx split)", (knitSplit.p99ms / nginx.p99ms).toFixed(2)),
      reported("activator in path / warm bypass (requests/s)", (activator.rps / knit.rps).toFixed(2)),
    ] as BenchReport["figures"];
    const text = [
      `Router path vs direct isolate vs nginx — ${new Date().toISOString().slice(0, 10)}, ${machine()}`,
      `wrk -t1 -c${CONNECTIONS}, ${2 * HALF} s per path as two ${HALF} s runs (all paths in order, then in reverse order; requests/s, p50 and p99 are the means of the two), ` +
        `after a 2 s warm-up of each; sequential: ${SEQUENTIAL} requests one at a time over keep-alive after 500 more, from a Node process of its own`,
      `${nginxSummary()}; "2 workers": two workers that are the same wrapper + bundled hello.ts, in one workerd process (no Worker Loader, one isolate per request); ` +
        `"2 loader isolates": two minimal workers in one workerd process, each handing requests to its own Worker Loader isolate of the same code, as Knit's router does (two isolates per request, as on Knit's path)`,
      `split check, 1000 sequential requests: Knit → ${split.knit}; nginx → ${split.nginx}; nginx over loader isolates → ${split.nginxLoader}`,
      "",
      table(["path", "requests/s", "p50 ms", "p99 ms", "sequential p50 ms", "sequential p99 ms"],
        paths.map((p) => [p.label, p.load!.rps, p.load!.p50ms, p.load!.p99ms, p.seq!.p50ms, p.seq!.p99ms])),
      "",
      figuresTable(figures),
    ].join("\n");
    return { key: "router", title: "Router path", text, figures };
  } finally {
    process.removeListener("SIGINT", onInt);
    await stop();
  }
}

if (import.meta.main) console.log((await runRouter()).text);
