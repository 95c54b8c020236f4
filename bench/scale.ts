// Scale benchmark: the router's sequential latency to one Service with 1, 100 and 1,000 Services
// present; the time from create to Ready per Service while 1,000 are created through the API; list and
// watch latency of the API at that size. Real `workerd serve` through startPlatform, 127.0.0.1 only.
//   npm run bench:scale      (BENCH_SCALE_SERVICES default 1000, BENCH_SCALE_CONCURRENCY default 8,
//                             BENCH_SCALE_SEQUENTIAL default 5000, BENCH_SCALE_SAMPLES default 50, BENCH_SCALE_SINGLE default 50)

import { mkdtempSync, rmSync } from "node:fs";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startPlatform, type Platform } from "../src/cli/start.ts";
import { freePorts } from "../src/cli/state.ts";
import { bundleModule } from "../src/cli/bundle.ts";
import { cpuSeconds, figuresTable, machine, mean, percentile, reported, sequential, sleep, table, verdict, workerdPid, type BenchReport, type Figure } from "./lib.ts";
import { ApiWatch, type KObj } from "./watch.ts";

const TOTAL = Number(process.env.BENCH_SCALE_SERVICES ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_SCALE_CONCURRENCY ?? 8);
const SEQUENTIAL = Number(process.env.BENCH_SCALE_SEQUENTIAL ?? 5000);
const SAMPLES = Number(process.env.BENCH_SCALE_SAMPLES ?? 50);
const ONE_AT_A_TIME = Number(process.env.BENCH_SCALE_SINGLE ?? 50);
const WARMUP = Number(process.env.BENCH_SCALE_WARMUP ?? 5000);
const ROUNDS = 3;
const READY_TIMEOUT_MS = 60_000;
const LOOP_DEADLINE_MS = 8 * 60_000;
const ZERO_TIMEOUT_MS = 240_000;
const QUIET_TIMEOUT_MS = 120_000;
const KSVC = "/apis/serving.knative.dev/v1/namespaces/default/services";
const PA_PATH = "/apis/autoscaling.internal.knative.dev/v1alpha1/namespaces/default/podautoscalers";
const TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";
const HELLO = join(import.meta.dirname, "..", "examples", "hello", "hello.ts");
const PROBE_HOST = "probe.default.example.com";

/** One API exchange over a keep-alive TLS connection: status, body, and the time to the end of the body. */
class Api {
  private readonly agent: HttpsAgent;
  private readonly platform: Platform;
  constructor(platform: Platform) {
    this.platform = platform;
    this.agent = new HttpsAgent({ keepAlive: true, maxSockets: CONCURRENCY + 2, ca: platform.ca });
  }
  send(method: string, path: string, body?: unknown, accept = "application/json", contentType = "application/json") {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const start = process.hrtime.bigint();
    return new Promise<{ status: number; text: string; ms: number }>((done, fail) => {
      const req = httpsRequest(`${this.platform.apiUrl}${path}`, {
        method, agent: this.agent, timeout: 60_000,
        headers: { authorization: `Bearer ${this.platform.token}`, accept, ...(text ? { "content-type": contentType, "content-length": Buffer.byteLength(text) } : {}) },
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => done({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8"), ms: Number(process.hrtime.bigint() - start) / 1e6 }));
        res.on("error", fail);
      });
      req.on("timeout", () => req.destroy(new Error(`${method} ${path} timed out`)));
      req.on("error", fail);
      req.end(text);
    });
  }
  close() {
    this.agent.destroy();
  }
}

function service(name: string, image: string, annotations: Record<string, string> = {}): KObj {
  return {
    apiVersion: "serving.knative.dev/v1", kind: "Service", metadata: { name },
    spec: { template: { metadata: { annotations }, spec: { containers: [{ image, env: [{ name: "TARGET", value: "World" }] }] } } },
  };
}

interface Batch {
  label: string;
  latencies: number[];
  seconds: number;
}

/** Creates `names` with at most `concurrency` in progress, each timed from its POST to the watch event that
 * shows it Ready. Bounded by READY_TIMEOUT_MS per Service and LOOP_DEADLINE_MS for the loop. */
async function createBatch(api: Api, watch: ApiWatch, image: string, names: string[], label: string, concurrency: number): Promise<Batch> {
  const latencies: number[] = [];
  const start = Date.now();
  let next = 0;
  const worker = async () => {
    while (next < names.length) {
      if (Date.now() - start > LOOP_DEADLINE_MS) throw new Error(`creating Services exceeded ${LOOP_DEADLINE_MS / 60_000} minutes after ${latencies.length}`);
      const name = names[next++];
      const t0 = performance.now();
      const ready = watch.readyAt(name, READY_TIMEOUT_MS);
      const res = await api.send("POST", KSVC, service(name, image));
      if (res.status !== 201) throw new Error(`POST ${name}: ${res.status} ${res.text.slice(0, 300)}`);
      latencies.push((await ready) - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { label, latencies, seconds: (Date.now() - start) / 1000 };
}

/** workerd's CPU use with no request sent, over 3 s (% of one core); then the router's sequential
 * latency to the probe Service: a warm-up, then ROUNDS rounds of SEQUENTIAL requests one at a time, each
 * from a client process of its own; p50 and p99 are the medians of the rounds' figures, so that one round
 * disturbed by the machine's other work does not make the row. */
async function routerLatency(port: number, pid: number, present: string) {
  const cpu0 = cpuSeconds(pid);
  await sleep(3000);
  const idleCpu = ((cpuSeconds(pid) - cpu0) / 3) * 100;
  const rounds = [];
  for (let i = 0; i < ROUNDS; i++) rounds.push(await sequential(port, PROBE_HOST, SEQUENTIAL, i === 0 ? WARMUP : 200));
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
  return { present, idleCpu, p50ms: median(rounds.map((r) => r.p50ms)), p99ms: median(rounds.map((r) => r.p99ms)), requests: rounds.reduce((n, r) => n + r.requests, 0) };
}

/** Waits (bounded) until workerd has used under 1 % of a core over 3 s: the wave of scale-downs over, the
 * idle revisions' activators evicted (each closing its SQLite database, an fsync on workerd's thread). */
async function quietWorkerd(pid: number, timeoutMs: number): Promise<string> {
  const start = Date.now();
  let last = NaN;
  while (Date.now() - start < timeoutMs) {
    const cpu0 = cpuSeconds(pid);
    await sleep(3000);
    last = ((cpuSeconds(pid) - cpu0) / 3) * 100;
    if (last < 1) return `workerd under 1 % of a core over 3 s, ${((Date.now() - start) / 1000).toFixed(0)} s after that`;
  }
  return `workerd still at ${last.toFixed(1)} % of a core after ${timeoutMs / 1000} s`;
}

/** Waits (bounded) until every PodAutoscaler but probe's reports actualScale 0; answers the seconds it took, or why not. */
async function allAtZero(platform: Platform, timeoutMs: number): Promise<string> {
  const start = Date.now();
  let left = -1;
  while (Date.now() - start < timeoutMs) {
    const pas = await platform.client.get<{ items?: { metadata?: { name?: string }; status?: { actualScale?: number } }[] }>(PA_PATH);
    left = (pas.items ?? []).filter((p) => !p.metadata?.name?.startsWith("probe-") && p.status?.actualScale !== 0).length;
    if (left === 0) return `all at zero ${((Date.now() - start) / 1000).toFixed(0)} s after the last create`;
    await sleep(1000);
  }
  return `${left} revisions still above zero after ${timeoutMs / 1000} s`;
}

export async function runScale(): Promise<BenchReport> {
  if (!(TOTAL >= 200 && TOTAL <= 2000) || !(CONCURRENCY >= 1 && CONCURRENCY <= 64) || !(ONE_AT_A_TIME >= 1 && ONE_AT_A_TIME <= 100)) {
    throw new Error("BENCH_SCALE_SERVICES must be 200..2000, BENCH_SCALE_CONCURRENCY 1..64, BENCH_SCALE_SINGLE 1..100");
  }
  const dir = mkdtempSync(join(tmpdir(), "knit-bench-scale-"));
  let platform: Platform | undefined;
  let api: Api | undefined;
  let watch: ApiWatch | undefined;
  const stop = async () => {
    watch?.close();
    api?.close();
    await platform?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  const onInt = () => void stop().then(() => process.exit(130));
  process.once("SIGINT", onInt);
  try {
    const [port, apiPort] = await freePorts(2);
    platform = await startPlatform({ port, apiPort, stateDir: join(dir, "state"), examples: null, output: () => {}, log: () => {} });
    api = new Api(platform);
    const { image } = await platform.client.pushScript("hello", await bundleModule(HELLO));
    watch = await ApiWatch.open(platform, KSVC);

    // The measured Service: warm path without the activator, as in the router bench.
    const t0 = performance.now();
    const probeReady = watch.readyAt("probe", READY_TIMEOUT_MS);
    const created = await api.send("POST", KSVC, service("probe", image, { "autoscaling.knative.dev/min-scale": "1", "autoscaling.knative.dev/target-burst-capacity": "0" }));
    if (created.status !== 201) throw new Error(`POST probe: ${created.status} ${created.text.slice(0, 300)}`);
    const probeMs = (await probeReady) - t0;
    await watch.quiet(2000, 30_000);
    const pid = workerdPid(platform.stateDir);
    const router = [await routerLatency(port, pid, "1 Service")];

    const names = Array.from({ length: TOTAL - 1 }, (_, i) => `scale-${String(i + 1).padStart(4, "0")}`);
    const batches = [await createBatch(api, watch, image, names.slice(0, 99), `Services 2–100, ${CONCURRENCY} in progress`, CONCURRENCY)];
    await watch.quiet(2000, 60_000);
    router.push(await routerLatency(port, pid, "100 Services"));
    const split = TOTAL - ONE_AT_A_TIME;
    batches.push(await createBatch(api, watch, image, names.slice(99, split - 1), `Services 101–${split}, ${CONCURRENCY} in progress`, CONCURRENCY));
    await watch.quiet(2000, 60_000);
    batches.push(await createBatch(api, watch, image, names.slice(split - 1), `Services ${split + 1}–${TOTAL}, one at a time`, 1));
    const settled = await watch.quiet(2000, 120_000);
    router.push(await routerLatency(port, pid, `${TOTAL} Services, just created`));

    // Knative's defaults scale each new revision to zero after 60 s stable window + 30 s grace with no traffic.
    const zero = `${await allAtZero(platform, ZERO_TIMEOUT_MS)}; ${await quietWorkerd(pid, QUIET_TIMEOUT_MS)}`;
    await watch.quiet(2000, 60_000);
    router.push(await routerLatency(port, pid, `${TOTAL} Services, the others at zero`));
    // API at TOTAL Services, once they are idle: list (JSON and Table, as kubectl get asks), then write → watch event.
    const lists: { label: string; ms: number[]; bytes: number; items: number }[] = [];
    for (const [label, accept] of [["GET list, JSON", "application/json"], ["GET list, Table (kubectl get ksvc)", TABLE]] as const) {
      const ms: number[] = [];
      let bytes = 0;
      let items = 0;
      for (let i = 0; i < Math.min(SAMPLES, 20) + 2; i++) {
        const r = await api.send("GET", KSVC, undefined, accept);
        if (r.status !== 200) throw new Error(`GET ${KSVC} (${accept}): ${r.status}`);
        if (i < 2) continue; // warm-up
        ms.push(r.ms);
        bytes = Buffer.byteLength(r.text);
        const body = JSON.parse(r.text);
        items = (body.items ?? body.rows ?? []).length;
      }
      lists.push({ label, ms, bytes, items });
    }
    const target = names[Math.floor(names.length / 2)];
    const watchMs: number[] = [];
    const writeMs: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const value = `w${i}`;
      const start = performance.now();
      const seen = watch.labelAt(target, "bench/seq", value, 10_000);
      const r = await api.send("PATCH", `${KSVC}/${target}`, { metadata: { labels: { "bench/seq": value } } }, "application/json", "application/merge-patch+json");
      if (r.status !== 200) throw new Error(`PATCH ${target}: ${r.status} ${r.text.slice(0, 300)}`);
      writeMs.push(r.ms);
      watchMs.push((await seen) - start);
      await sleep(20);
    }
    const listed = JSON.parse((await api.send("GET", KSVC)).text).items as KObj[];
    const readyCount = listed.filter((s) => s.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")).length;

    const base = router[0];
    const flat = (v: number, b: number) => `${v.toFixed(3)} (${((v / b - 1) * 100).toFixed(1)} %)`;
    const within = (v: number, b: number) => Math.abs(v / b - 1) <= 0.1;
    const [, bulk, single] = batches;
    const figures: Figure[] = [];
    for (const r of router.slice(1)) {
      figures.push({ figure: `router sequential p50 ms, ${r.present} (vs ${base.p50ms.toFixed(3)} at 1)`, value: flat(r.p50ms, base.p50ms), target: "within ±10 %", result: verdict(within(r.p50ms, base.p50ms)) });
      figures.push({ figure: `router sequential p99 ms, ${r.present} (vs ${base.p99ms.toFixed(3)} at 1)`, value: flat(r.p99ms, base.p99ms), target: "within ±10 %", result: verdict(within(r.p99ms, base.p99ms)) });
    }
    const p50 = percentile(single.latencies, 50);
    const avg = mean(single.latencies);
    const perService = (bulk.seconds * 1000) / bulk.latencies.length;
    figures.push({ figure: `create → Ready, p50 ms (${single.label})`, value: p50.toFixed(1), target: "<= 50", result: verdict(p50 <= 50) });
    figures.push({ figure: `create → Ready, mean ms (${single.label})`, value: avg.toFixed(1), target: "<= 50", result: verdict(avg <= 50) });
    figures.push(reported(`create → Ready, p99 ms (${single.label})`, percentile(single.latencies, 99).toFixed(1)));
    figures.push({ figure: `elapsed ms per Service (${bulk.label})`, value: perService.toFixed(1), target: "<= 50", result: verdict(perService <= 50) });
    figures.push(reported(`create → Ready, p50 / p99 ms (${bulk.label})`, `${percentile(bulk.latencies, 50).toFixed(1)} / ${percentile(bulk.latencies, 99).toFixed(1)}`));
    figures.push(reported(`Services Ready per second (${bulk.label})`, (bulk.latencies.length / bulk.seconds).toFixed(1)));
    for (const l of lists) figures.push(reported(`${l.label}, ${l.items} items, p50 / p99 ms`, `${percentile(l.ms, 50).toFixed(1)} / ${percentile(l.ms, 99).toFixed(1)}`));
    figures.push(reported(`write → watch event, p50 / p99 ms (${TOTAL} Services)`, `${percentile(watchMs, 50).toFixed(2)} / ${percentile(watchMs, 99).toFixed(2)}`));

    const stats = (v: number[]) => [String(v.length), percentile(v, 50).toFixed(1), percentile(v, 99).toFixed(1), mean(v).toFixed(1), Math.max(...v).toFixed(1)];
    const text = [
      `Scale: 1, 100 and ${TOTAL} Services — ${new Date().toISOString().slice(0, 10)}, ${machine()}`,
      `One platform. Service "probe" (min-scale 1, target-burst-capacity 0) is the one requested; the others are plain Services on the same ` +
        `pushed hello script (Knative's defaults: initial scale 1). Router: ${ROUNDS} rounds of ${SEQUENTIAL} sequential requests over keep-alive to probe (the first after ${WARMUP} of warm-up), each from a Node process of its own (none of the bench's heap in its pauses); p50 and p99 are the medians of the rounds', ` +
        `measured once the watch has been quiet for 2 s. Create → Ready: POST to the API (TLS keep-alive), each timed from its POST to the watch event ` +
        `that shows it Ready=True; in bulk with at most ${CONCURRENCY} Services in progress (a Service's time includes waiting behind the others), ` +
        `then the last ${ONE_AT_A_TIME} one at a time (${TOTAL - ONE_AT_A_TIME} already present). probe itself: ${probeMs.toFixed(1)} ms.`,
      `before the "just created" router figure the watch of all ksvc was ${settled}; for "the others at zero", every PodAutoscaler but probe's reported ` +
        `actualScale 0 (${zero}); the API figures are taken after that; at the end ${readyCount} of ${listed.length} Services are Ready. ` +
        `"workerd CPU, no requests": the workerd process's user + system time over 3 s just before the router figure.`,
      "",
      table(["Services present", "router sequential p50 ms", "router sequential p99 ms", "p50 vs 1 Service", "p99 vs 1 Service", "workerd CPU, no requests"],
        router.map((r) => [r.present, r.p50ms.toFixed(3), r.p99ms.toFixed(3), `${((r.p50ms / base.p50ms - 1) * 100).toFixed(1)} %`,
          `${((r.p99ms / base.p99ms - 1) * 100).toFixed(1)} %`, `${r.idleCpu.toFixed(0)} % of a core`])),
      "",
      table(["create → Ready", "Services", "p50 ms", "p99 ms", "mean ms", "max ms", "elapsed s", "Ready/s"],
        batches.map((b) => [b.label, ...stats(b.latencies), b.seconds.toFixed(1), (b.latencies.length / b.seconds).toFixed(1)])),
      "",
      table([`API at ${TOTAL} Services`, "samples", "p50 ms", "p99 ms", "mean ms", "max ms", "size"], [
        ...lists.map((l) => [l.label, ...stats(l.ms), `${(l.bytes / 1e6).toFixed(2)} MB`]),
        [`PATCH a label on one Service (response)`, ...stats(writeMs), "-"],
        [`PATCH → its MODIFIED event on a watch of all ksvc`, ...stats(watchMs), "-"],
      ]),
      "",
      figuresTable(figures),
    ].join("\n");
    return { key: "scale", title: "Scale", text, figures };
  } finally {
    process.removeListener("SIGINT", onInt);
    await stop();
  }
}

if (import.meta.main) console.log((await runScale()).text);
