// Cold-start benchmark: the added latency of the first request to a zero-scaled revision (the activator
// loads a fresh isolate) over a warm request to the same revision; and the workerd process's memory per
// warm instance. Real `workerd serve` through startPlatform, on free ports, 127.0.0.1 only.
//   npm run bench:coldstart     (BENCH_COLD services sampled cold, default 200; BENCH_INSTANCES, default 50)

import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startPlatform, type Platform } from "../src/cli/start.ts";
import { freePort, freePorts } from "../src/cli/state.ts";
import { applySources } from "../src/cli/apply.ts";
import type { ApiClient } from "../src/cli/client.ts";
import { startDirectWorker } from "./direct.ts";
import { figuresTable, machine, mean, percentile, reported, rss, sleep, table, verdict, workerdPid, type BenchReport, type Figure } from "./lib.ts";

const COLD = Number(process.env.BENCH_COLD ?? 200);
const INSTANCES = Number(process.env.BENCH_INSTANCES ?? 50);
const WARM_REQUESTS = 5;
const HELLO = join(import.meta.dirname, "..", "examples", "hello", "hello.ts");
const PA_PATH = "/apis/autoscaling.internal.knative.dev/v1alpha1/namespaces/default/podautoscalers";
const KSVC_PATH = "/apis/serving.knative.dev/v1/namespaces/default/services";

function service(name: string, annotations: Record<string, string> = {}): string {
  const notes = Object.entries(annotations).map(([k, v]) => `\n        ${k}: "${v}"`).join("");
  return `apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: ${name}
spec:
  template:
    metadata:
      annotations:${notes || " {}"}
    spec:
      containers:
        - image: worker://${HELLO}
          env:
            - name: TARGET
              value: World
`;
}

// Knative's keys: revisions start at zero. The shortest windows Knative accepts (6 s each) only matter
// if a revision leaves zero without traffic: it then scales back to zero within ~15 s instead of 90 s.
const ZERO_INITIAL_SCALE = `apiVersion: v1
kind: ConfigMap
metadata:
  name: config-autoscaler
  namespace: knative-serving
data:
  allow-zero-initial-scale: "true"
  initial-scale: "0"
  stable-window: "6s"
  scale-to-zero-grace-period: "6s"
`;

async function apply(platform: Platform, dir: string, file: string, yaml: string): Promise<void> {
  const path = join(dir, file);
  writeFileSync(path, yaml);
  const applied = await applySources([path], { client: platform.client, namespace: "default", log: () => {} });
  if (applied.errors.length) throw new Error(`applying ${file}: ${applied.errors.map((e) => e.message).join("; ")}`);
}

interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
}
interface Obj {
  metadata?: { name?: string };
  status?: { conditions?: Condition[]; actualScale?: number; desiredScale?: number };
}

const ready = (o: Obj) => o.status?.conditions?.find((c) => c.type === "Ready")?.status === "True";

/** Waits (bounded) until every named Service is Ready; throws naming the ones that are not. */
async function waitReady(client: ApiClient, names: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let missing: Obj[] = [];
  while (Date.now() < deadline) {
    const list = await client.get<{ items?: Obj[] }>(KSVC_PATH);
    const byName = new Map((list.items ?? []).map((s) => [s.metadata?.name, s]));
    missing = names.map((n) => byName.get(n) ?? { metadata: { name: n } }).filter((s) => !ready(s));
    if (!missing.length) return;
    await sleep(250);
  }
  const first = missing[0];
  const why = first?.status?.conditions?.find((c) => c.type === "Ready");
  throw new Error(`${missing.length} of ${names.length} Services not Ready after ${timeoutMs / 1000}s (first: ${first?.metadata?.name}` +
    `${why ? `, ${why.reason}: ${why.message}` : ""})`);
}

/** One GET to the ingress, timed from send to the end of the body; aborts unless 200 "Hello…". */
function hit(port: number, host: string, agent: Agent): Promise<number> {
  const start = process.hrtime.bigint();
  return new Promise((done, fail) => {
    const req = request({ host: "127.0.0.1", port, path: "/", agent, headers: { host }, timeout: 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", fail);
      res.on("end", () => {
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        const body = Buffer.concat(chunks).toString("utf8");
        if (res.statusCode !== 200 || !body.includes("Hello")) {
          fail(new Error(`GET http://${host}/ answered ${res.statusCode}: ${body.slice(0, 300).trim()}`));
        } else done(ms);
      });
    });
    req.on("timeout", () => req.destroy(new Error(`GET http://${host}/ timed out after 30 s`)));
    req.on("error", fail);
    req.end();
  });
}

/** A metric's value per revision from the API's Prometheus text (`knit_x{…revision_name="r"…} v`). */
function metricByRevision(text: string, name: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`)) continue;
    const rev = line.match(/revision_name="([^"]+)"/)?.[1];
    const value = Number(line.slice(line.lastIndexOf(" ") + 1));
    if (rev) out.set(rev, (out.get(rev) ?? 0) + value);
  }
  return out;
}

/** For each name in turn over one keep-alive connection: the first request (cold), then the median of
 * WARM_REQUESTS more (warm). Bounded to 10 minutes. */
async function sampleColdWarm(port: number, names: string[]): Promise<{ cold: number[]; warm: number[] }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const cold: number[] = [];
  const warm: number[] = [];
  try {
    await hit(port, "nobody.default.example.com", agent).catch(() => 0); // opens the connection (a 404 from Knit)
    const deadline = Date.now() + 10 * 60_000;
    for (const [i, name] of names.entries()) {
      if (Date.now() > deadline) throw new Error(`cold-start loop exceeded 10 minutes after ${i} services`);
      const host = `${name}.default.example.com`;
      cold.push(await hit(port, host, agent));
      const w: number[] = [];
      for (let j = 0; j < WARM_REQUESTS; j++) w.push(await hit(port, host, agent));
      warm.push(percentile(w, 50));
    }
  } finally {
    agent.destroy();
  }
  return { cold, warm };
}

async function newPlatform(dir: string, name: string): Promise<Platform> {
  const [port, apiPort] = await freePorts(2);
  return startPlatform({ port, apiPort, stateDir: join(dir, name), examples: null, output: () => {}, log: () => {} });
}

const ms = (v: number) => v.toFixed(2);

interface ColdResult {
  cold: number[];
  warm: number[];
  added: number[];
  paCheck: string;
  serverCold?: { count: number; sumMs: number };
  coldStarts: number;
  setupSeconds: number;
  /** Time waited for every revision to be (and stay) at zero, and how many left zero with no request. */
  zeroWait: { seconds: number; leftZero: number };
}

/** Part 1: BENCH_COLD Services at initial scale 0, each sampled once cold, then warm. */
async function coldStarts(platform: Platform, dir: string): Promise<ColdResult> {
  const port = Number(new URL(platform.ingressUrl).port);
  const names = Array.from({ length: COLD }, (_, i) => `cold-${String(i + 1).padStart(3, "0")}`);
  const setupStart = Date.now();
  await apply(platform, dir, "config-autoscaler.yaml", ZERO_INITIAL_SCALE);
  await apply(platform, dir, "cold.yaml", names.map((n) => service(n)).join("---\n"));
  await waitReady(platform.client, names, 60_000 + COLD * 500);
  const setupSeconds = (Date.now() - setupStart) / 1000;

  // Every revision must be at zero before its first request, or the sample is not a cold start: wait
  // (bounded) until every PodAutoscaler has reported actualScale 0 for 3 s in a row, noting any that left zero.
  const zeroStart = Date.now();
  const zeroDeadline = zeroStart + 120_000;
  const leftZero = new Set<string>();
  let zeroSince: number | undefined;
  let notZero: string[] = names;
  while (Date.now() < zeroDeadline) {
    const pas = await platform.client.get<{ items?: Obj[] }>(PA_PATH);
    const scales = new Map((pas.items ?? []).map((p) => [p.metadata?.name, p.status?.actualScale]));
    notZero = names.filter((n) => scales.get(`${n}-00001`) !== 0);
    for (const n of names) if ((scales.get(`${n}-00001`) ?? 0) > 0) leftZero.add(n);
    if (notZero.length) zeroSince = undefined;
    else zeroSince ??= Date.now();
    if (zeroSince !== undefined && Date.now() - zeroSince >= 3000) break;
    await sleep(250);
  }
  if (notZero.length || zeroSince === undefined) {
    throw new Error(`${notZero.length} revisions not at actualScale 0 after ${(Date.now() - zeroStart) / 1000} s (first: ${notZero[0]}-00001)`);
  }
  const zeroWait = { seconds: (Date.now() - zeroStart) / 1000, leftZero: leftZero.size };

  // One revision's PodAutoscaler read just before its first request, printed as evidence.
  const first = await platform.client.get<Obj>(`${PA_PATH}/${names[0]}-00001`);
  const scale = first.status?.actualScale;
  if (scale !== 0) throw new Error(`GET podautoscalers/${names[0]}-00001: actualScale is ${scale}, not 0; the first request would not be cold`);
  const paCheck = `GET ${PA_PATH}/${names[0]}-00001 just before its first request: status.actualScale = ${scale}, ` +
    `desiredScale = ${first.status?.desiredScale} (and all ${COLD} PodAutoscalers listed at actualScale 0 before the loop)`;
  const { cold, warm } = await sampleColdWarm(port, names);

  // The activator's own account: one scale-up from zero per revision, and its cold-request latency.
  const metrics = await platform.client.get<string>("/metrics", "text/plain");
  const starts = metricByRevision(metrics, "knit_revision_cold_starts_total");
  const coldStarts = names.reduce((n, name) => n + (starts.get(`${name}-00001`) ?? 0), 0);
  const sums = metricByRevision(metrics, "knit_revision_cold_start_latencies_sum");
  const counts = metricByRevision(metrics, "knit_revision_cold_start_latencies_count");
  let serverCold: ColdResult["serverCold"];
  if (counts.size) {
    serverCold = { count: 0, sumMs: 0 };
    for (const name of names) {
      serverCold.count += counts.get(`${name}-00001`) ?? 0;
      serverCold.sumMs += sums.get(`${name}-00001`) ?? 0;
    }
  }
  return { cold, warm, added: cold.map((c, i) => c - warm[i]), paCheck, serverCold, coldStarts, setupSeconds, zeroWait };
}

interface MemResult {
  before: { rss: number; anon: number };
  after: { rss: number; anon: number };
  readySeconds: number;
}

/** Part 2: RSS of workerd before a Service held at M instances, and after each has served. */
async function memory(platform: Platform, dir: string): Promise<MemResult> {
  const port = Number(new URL(platform.ingressUrl).port);
  const pid = workerdPid(platform.stateDir);
  // Warm the ingress's own path (a 404) so the first-request costs of the router are not counted.
  const agent0 = new Agent({ keepAlive: false });
  await hit(port, "nobody.default.example.com", agent0).catch(() => 0);
  await sleep(2000);
  const before = rss(pid);

  const start = Date.now();
  const m = String(INSTANCES);
  await apply(platform, dir, "mem.yaml", service("mem", { "autoscaling.knative.dev/min-scale": m, "autoscaling.knative.dev/max-scale": m }));
  await waitReady(platform.client, ["mem"], 60_000);
  const deadline = Date.now() + 60_000 + INSTANCES * 500;
  let scale: number | undefined;
  while (Date.now() < deadline) {
    scale = (await platform.client.get<Obj>(`${PA_PATH}/mem-00001`)).status?.actualScale;
    if (scale === INSTANCES) break;
    await sleep(250);
  }
  if (scale !== INSTANCES) throw new Error(`podautoscalers/mem-00001 actualScale is ${scale}, not ${INSTANCES}, after waiting`);
  const readySeconds = (Date.now() - start) / 1000;

  // 4×M concurrent requests (the router and the activator spread them over the instances), twice.
  const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
  try {
    for (let round = 0; round < 2; round++) {
      await Promise.all(Array.from({ length: 4 * INSTANCES }, () => hit(port, "mem.default.example.com", agent)));
    }
  } finally {
    agent.destroy();
    agent0.destroy();
  }
  await sleep(2000);
  const after = rss(pid);
  const still = (await platform.client.get<Obj>(`${PA_PATH}/mem-00001`)).status?.actualScale;
  if (still !== INSTANCES) throw new Error(`podautoscalers/mem-00001 actualScale fell to ${still} during the measurement`);
  return { before, after, readySeconds };
}

export async function runColdstart(): Promise<BenchReport> {
  if (!(COLD >= 1 && COLD <= 999) || !(INSTANCES >= 1 && INSTANCES <= 1000)) throw new Error("BENCH_COLD must be 1..999, BENCH_INSTANCES 1..1000");
  const dir = mkdtempSync(join(tmpdir(), "knit-bench-"));
  const running: Platform[] = [];
  let direct: ChildProcess | undefined;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    direct?.kill();
    for (const p of running) await p.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  const onInt = () => void stop().then(() => process.exit(130));
  process.once("SIGINT", onInt);
  const out: string[] = [];
  try {
    // Part 1 on its own platform: its BENCH_COLD revisions scale back to zero later, which would move
    // the memory figure; part 2 gets a fresh platform holding nothing but `mem`.
    const p1 = await newPlatform(dir, "state-cold");
    running.push(p1);
    const c = await coldStarts(p1, dir);
    await p1.stop();
    running.length = 0;

    // Baseline, with Knit stopped: the same hosts against a minimal worker, a fresh Worker Loader isolate each.
    const directPort = await freePort();
    direct = await startDirectWorker(dir, directPort, "isolate per host");
    const names = Array.from({ length: COLD }, (_, i) => `cold-${String(i + 1).padStart(3, "0")}`);
    const base = await sampleColdWarm(directPort, names);
    direct.kill();
    direct = undefined;
    const baseAdded = base.cold.map((v, i) => v - base.warm[i]);

    const p2 = await newPlatform(dir, "state-mem");
    running.push(p2);
    const mem = await memory(p2, dir);

    const added50 = percentile(c.added, 50);
    const added99 = percentile(c.added, 99);
    const perInstance = (mem.after.rss - mem.before.rss) / INSTANCES;
    const perInstanceAnon = (mem.after.anon - mem.before.anon) / INSTANCES;
    const row = (label: string, v: number[]) =>
      [label, String(v.length), ms(percentile(v, 50)), ms(percentile(v, 99)), ms(mean(v)), ms(Math.max(...v))];

    out.push(`Cold start and memory per instance — ${new Date().toISOString().slice(0, 10)}, ${machine()}`);
    out.push(`${COLD} Services (examples/hello) at initial scale 0 (config-autoscaler allow-zero-initial-scale "true", initial-scale "0"; stable-window and scale-to-zero-grace-period "6s"), ` +
      `all Ready ${c.setupSeconds.toFixed(1)} s after the apply began; each in turn over one keep-alive connection: 1 cold request, ` +
      `then ${WARM_REQUESTS} warm (their median); latency = send to end of body.`);
    out.push(`check: every PodAutoscaler at actualScale 0 for 3 s in a row before the loop (${c.zeroWait.seconds.toFixed(1)} s after Ready); ` +
      `${c.zeroWait.leftZero} of ${COLD} revisions went above 0 in that time with no request sent to them`);
    out.push(`check: ${c.paCheck}`);
    out.push(`check: knit_revision_cold_starts_total summed over the ${COLD} revisions after the loop = ${c.coldStarts} ` +
      `(expected ${COLD + c.zeroWait.leftZero}: ${COLD} from the loop + ${c.zeroWait.leftZero} scale-ups from zero with no request)`);
    out.push(`baseline: the same hosts, same wrapper + bundled hello.ts, against a minimal worker on raw workerd that gives each ` +
      `Host its own Worker Loader isolate (code already in memory; no Store, no activator), run after Knit stopped.\n`);
    out.push(table(["request", "samples", "p50 ms", "p99 ms", "mean ms", "max ms"], [
      row("Knit: cold (first request, from zero)", c.cold),
      row(`Knit: warm (median of ${WARM_REQUESTS} after it)`, c.warm),
      row("Knit: added (cold − warm, same service)", c.added),
      row("baseline: fresh isolate (first request)", base.cold),
      row(`baseline: warm (median of ${WARM_REQUESTS})`, base.warm),
      row("baseline: added (cold − warm)", baseAdded),
    ]));
    if (c.serverCold?.count) {
      out.push(`\nactivator's own figure (knit_revision_cold_start_latencies): mean ${(c.serverCold.sumMs / c.serverCold.count).toFixed(2)} ms ` +
        `over ${c.serverCold.count} cold requests (arrival at the activator to the response, whole ms)`);
    }
    out.push("");
    out.push(`Memory (MB = 10^6 bytes): the workerd process's /proc status before applying Service "mem" ` +
      `(min-scale = max-scale = ${INSTANCES}) on a fresh platform, and after its PodAutoscaler reached actualScale ${INSTANCES} ` +
      `(${mem.readySeconds.toFixed(1)} s after the apply began), 2 rounds of ${4 * INSTANCES} concurrent requests, and 2 s idle. ` +
      `The delta is ${INSTANCES} instance isolates with their module, plus the revision's probe isolate, its activator Durable Object ` +
      `and the platform's objects for one Service (Configuration, Revision, Route, PodAutoscaler, routing table entry), all divided by ${INSTANCES}.\n`);
    out.push(table(["figure", "before MB", "after MB", "delta MB", `delta / ${INSTANCES} MB`], [
      ["VmRSS", ms(mem.before.rss), ms(mem.after.rss), ms(mem.after.rss - mem.before.rss), ms(perInstance)],
      ["RssAnon (anonymous pages only)", ms(mem.before.anon), ms(mem.after.anon), ms(mem.after.anon - mem.before.anon), ms(perInstanceAnon)],
    ]));
    out.push("");
    const figures: Figure[] = [
      { figure: "cold start added p50 (ms)", value: ms(added50), target: "<= 5", result: verdict(added50 <= 5) },
      { figure: "cold start added p99 (ms)", value: ms(added99), target: "<= 15", result: verdict(added99 <= 15) },
      reported("baseline fresh isolate added p50 / p99 (ms)", `${ms(percentile(baseAdded, 50))} / ${ms(percentile(baseAdded, 99))}`),
      { figure: `memory per warm instance (MB, VmRSS delta / ${INSTANCES})`, value: ms(perInstance), target: "<= 3", result: verdict(perInstance <= 3) },
    ];
    out.push(figuresTable(figures));
    return { key: "coldstart", title: "Cold start and memory", text: out.join("\n"), figures };
  } finally {
    process.removeListener("SIGINT", onInt);
    await stop();
  }
}

if (import.meta.main) console.log((await runColdstart()).text);
