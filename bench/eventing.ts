// Eventing benchmark: events sent to a durable Broker (stored before the 202) and delivered by its
// Triggers to a subscriber, against the same events POSTed straight to the subscriber, in one run.
//   npm run bench:eventing        (BENCH_EVENTS, BENCH_CONCURRENCY to tune)

import { createServer } from "node:http";
import { Agent, request } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startPlatform, type Platform } from "../src/cli/start.ts";
import { freePort, freePorts } from "../src/cli/state.ts";
import { v8FlagsFromEnv } from "../src/cli/build.ts";
import { parse } from "yaml";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { writeFileSync } from "node:fs";
import { ensureWrk, figuresTable, machine, percentile, reported, table, verdict, type BenchReport, type Figure } from "./lib.ts";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 24);
const BROKER_HOST = "broker-ingress.knative-eventing.svc.cluster.local";
const DEADLINE_MS = Number(process.env.BENCH_DEADLINE_MS ?? 120_000);
/** Events/s sent to the 10-trigger fan-out for its latency at a rate it keeps up with. */
const PACED_RATE = Number(process.env.BENCH_PACED_RATE ?? 300);
/** The target's rate: the latency figures are taken with events sent steadily at it. */
const TARGET_RATE = 2000;

/** The subscriber: records when each event arrived against the send time it carries. */
function startSubscriber(port: number) {
  const latencies: number[] = [];
  const seen = new Set<string>();
  if (process.env.BENCH_VERBOSE) process.on("exit", () => console.error("seen", seen.size, [...Array(10).keys()].map((t) => [...Array(1000).keys()].filter((i) => !seen.has(`/t${t}|e-${i}`)).slice(0, 5).join(",")).join(" / ")));
  let received = 0;
  let lastAt = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const sent = Number(req.headers["ce-sentat"]);
      const now = performance.timeOrigin + performance.now();
      if (Number.isFinite(sent)) latencies.push(now - sent);
      received++;
      if (process.env.BENCH_VERBOSE) seen.add(`${req.url}|${req.headers["ce-id"]}`);
      lastAt = now;
      res.writeHead(200);
      res.end();
    });
  });
  return new Promise<{ stats: () => { received: number; lastAt: number; latencies: number[] }; reset: () => void; close: () => void }>((resolve) => {
    server.listen(port, "127.0.0.1", () => resolve({
      stats: () => ({ received, lastAt, latencies }),
      reset: () => {
        latencies.length = 0;
        received = 0;
      },
      close: () => server.close(),
    }));
  });
}

/** wrk's script: one binary-mode CloudEvent per request, stamped with its send time (ms) for the latency. */
const WRK_SCRIPT = `local ffi = require("ffi")
ffi.cdef[[ typedef struct { long tv_sec; long tv_usec; } knit_timeval; int gettimeofday(knit_timeval* tv, void* tz); ]]
local tv = ffi.new("knit_timeval")
local n = 0
local base = os.getenv("BENCH_EVENT_TYPE") or "bench.event"
local cycle = tonumber(os.getenv("BENCH_EVENT_CYCLE") or "0")
request = function()
  ffi.C.gettimeofday(tv, nil)
  n = n + 1
  local kind = base
  if cycle > 0 then kind = base .. ".t" .. (n % cycle) end
  local ms = tonumber(tv.tv_sec) * 1000 + tonumber(tv.tv_usec) / 1000
  return wrk.format("POST", nil, { ["ce-id"] = "w-" .. n, ["ce-sentat"] = string.format("%.3f", ms), ["ce-specversion"] = "1.0",
    ["ce-type"] = kind, ["ce-source"] = "/bench", ["content-type"] = "application/json" }, '{"n":1}')
end
`;

/** Events from wrk for `seconds` (127.0.0.1 only): how many were acknowledged, and when sending began. */
async function blast(dir: string, port: number, host: string, path: string, seconds: number, type = "bench.event", cycle = 0): Promise<{ requests: number; startedAt: number }> {
  const script = join(dir, "events.lua");
  writeFileSync(script, WRK_SCRIPT);
  const startedAt = performance.timeOrigin + performance.now();
  // Asynchronously: the subscriber runs in this process and must keep answering while wrk sends.
  const { stdout: out } = await promisify(execFile)(ensureWrk(), ["-t1", `-c${CONNECTIONS}`, `-d${seconds}s`, "-s", script, "-H", `Host: ${host}`, `http://127.0.0.1:${port}${path}`], {
    encoding: "utf8", env: { ...process.env, BENCH_EVENT_TYPE: type, BENCH_EVENT_CYCLE: String(cycle) },
  });
  const non2xx = out.match(/Non-2xx or 3xx responses:\s+(\d+)/)?.[1];
  if (non2xx) throw new Error(`${non2xx} events refused by ${host}${path}`);
  const requests = Number(out.match(/(\d+) requests in/)?.[1]);
  return { requests, startedAt };
}

/** Sends `count` events with `concurrency` in flight; answers when the last one was acknowledged. */
async function send(port: number, host: string, path: string, count: number, concurrency: number, type = "bench.event"): Promise<{ startedAt: number; endedAt: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const startedAt = performance.timeOrigin + performance.now();
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      await new Promise<void>((done, fail) => {
        const req = request({ host: "127.0.0.1", port, path, method: "POST", agent, headers: {
          host, "ce-id": `e-${i}`, "ce-specversion": "1.0", "ce-type": type, "ce-source": "/bench",
          "ce-sentat": String(performance.timeOrigin + performance.now()), "content-type": "application/json",
        } }, (res) => {
          res.resume();
          res.on("end", () => (res.statusCode === 202 || res.statusCode === 200 ? done() : fail(new Error(`status ${res.statusCode} from ${host}${path}`))));
        });
        req.on("error", fail);
        req.end(`{"n":${i}}`);
      });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  agent.destroy();
  return { startedAt, endedAt: performance.timeOrigin + performance.now() };
}

/** Events at a steady `rate` per second for `seconds`, each sent on time whatever the answers before it. */
async function pace(port: number, host: string, path: string, rate: number, seconds: number, cycle = 0): Promise<{ sent: number; startedAt: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const startedAt = performance.timeOrigin + performance.now();
  const total = Math.round(rate * seconds);
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = startedAt + (i * 1000) / rate;
    const wait = due - (performance.timeOrigin + performance.now());
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    pending.push(new Promise<void>((done, fail) => {
      const req = request({ host: "127.0.0.1", port, path, method: "POST", agent, headers: {
        host, "ce-id": `p-${i}`, "ce-specversion": "1.0", "ce-type": cycle > 0 ? `bench.event.t${i % cycle}` : "bench.event", "ce-source": "/bench",
        "ce-sentat": String(performance.timeOrigin + performance.now()), "content-type": "application/json",
      } }, (res) => {
        res.resume();
        res.on("end", () => (res.statusCode === 202 ? done() : fail(new Error(`status ${res.statusCode} from ${host}${path}`))));
      });
      req.on("error", fail);
      req.end(`{"n":${i}}`);
    }));
  }
  await Promise.all(pending);
  agent.destroy();
  return { sent: total, startedAt };
}

async function until(what: string, probe: () => boolean, progress?: () => string): Promise<void> {
  const deadline = Date.now() + DEADLINE_MS;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${progress ? ` (${progress()})` : ""}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A Broker and `count` Triggers: all on type bench.event (every event goes to each), or, `split`, Trigger i on
 * type bench.event.t{i} (each event goes to one; the senders cycle through the types). */
function triggersYaml(broker: string, count: number, port: number, split = false): string {
  const parts = [`apiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata:\n  name: ${broker}\nspec: {}\n`];
  for (let i = 0; i < count; i++) {
    parts.push(`apiVersion: eventing.knative.dev/v1\nkind: Trigger\nmetadata:\n  name: ${broker}-t${i}\nspec:\n  broker: ${broker}\n  filter:\n    attributes:\n      type: bench.event${split ? `.t${i}` : ""}\n  subscriber:\n    uri: http://127.0.0.1:${port}/t${i}\n  delivery:\n    retry: 5\n    backoffPolicy: exponential\n    backoffDelay: PT0.05S\n    deadLetterSink:\n      uri: http://127.0.0.1:${port}/dead\n`);
  }
  return parts.join("---\n");
}

interface Row {
  path: string;
  events: number;
  deliveries: number;
  eventsPerSec: number;
  deliveriesPerSec: number;
  p50: number;
  p99: number;
}

const BROKERS = [
  { broker: "one", triggers: 1, split: false },
  { broker: "ten", triggers: 10, split: false },
  { broker: "split", triggers: 10, split: true },
];

/** A platform with the three brokers and their triggers, each delivering to the subscriber; `v8Flags` replaces Knit's (none: V8's own defaults). */
async function platformWithBrokers(dir: string, subscriber: Awaited<ReturnType<typeof startSubscriber>>, subPort: number, dispatcher: boolean, v8Flags?: string[]) {
  const [port, apiPort] = await freePorts(2);
  const platform = await startPlatform({ port, apiPort, stateDir: join(dir, `state-${dispatcher ? "d" : "solo"}${v8Flags ? "-flags" : ""}`), examples: "", output: process.env.BENCH_VERBOSE ? undefined : () => {}, log: () => {}, dispatcher, v8Flags });
  for (const b of BROKERS) {
    for (const doc of triggersYaml(b.broker, b.triggers, subPort, b.split).split("---\n")) {
      const obj = parse(doc);
      const plural = obj.kind === "Broker" ? "brokers" : "triggers";
      await platform.client.create(`/apis/eventing.knative.dev/v1/namespaces/default/${plural}`, obj);
    }
  }
  // Ready when probe events through each broker reach every trigger's subscriber.
  for (const b of BROKERS) {
    const types = b.split ? Array.from({ length: b.triggers }, (_, i) => `bench.event.t${i}`) : ["bench.event"];
    const deadline = Date.now() + 30_000;
    for (;;) {
      subscriber.reset();
      for (const type of types) await send(port, BROKER_HOST, `/default/${b.broker}`, 1, 1, type).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 300));
      if (subscriber.stats().received >= b.triggers) break;
      if (Date.now() > deadline) throw new Error(`broker ${b.broker} did not deliver to its ${b.triggers} triggers`);
    }
  }
  return { platform, port };
}

export async function runEventing(): Promise<BenchReport> {
  const dir = mkdtempSync(join(tmpdir(), "knit-bench-events-"));
  const subPort = await freePort();
  const subscriber = await startSubscriber(subPort);
  let platform: Platform | undefined;
  const onInt = () => void Promise.resolve(platform?.stop()).then(() => process.exit(130));
  process.once("SIGINT", onInt);
  try {
    const started = await platformWithBrokers(dir, subscriber, subPort, true);
    platform = started.platform;
    let port = started.port;

    const rows: Row[] = [];
    const measure = async (label: string, host: string, path: string, sendPort: number, fanout: number, cycle = 0) => {
      await new Promise((r) => setTimeout(r, 500));
      subscriber.reset();
      const sent = await blast(dir, sendPort, host, path, SECONDS, "bench.event", cycle);
      await until(`${sent.requests * fanout} deliveries (${label})`, () => subscriber.stats().received >= sent.requests * fanout, () => `${subscriber.stats().received} arrived`);
      const s = subscriber.stats();
      const seconds = (s.lastAt - sent.startedAt) / 1000;
      rows.push({
        path: label, events: sent.requests, deliveries: s.received, eventsPerSec: sent.requests / seconds, deliveriesPerSec: s.received / seconds,
        p50: percentile(s.latencies, 50), p99: percentile(s.latencies, 99),
      });
    };
    await measure("direct POST to the subscriber (baseline)", `127.0.0.1:${subPort}`, "/direct", subPort, 1);
    // The broker ingress alone: parsed and answered, but matching no trigger, so nothing is stored.
    const ingest = await blast(dir, port, BROKER_HOST, "/default/one", SECONDS, "bench.unmatched");
    const ingestPerSec = ingest.requests / SECONDS;
    await measure("Knit broker → 1 trigger", BROKER_HOST, "/default/one", port, 1);
    await measure("Knit broker → 10 triggers, each event matching 1", BROKER_HOST, "/default/split", port, 1, 10);
    await measure("Knit broker → 10 triggers, each event matching all 10", BROKER_HOST, "/default/ten", port, 10);
    // Latency at a steady rate: the target rate for the broker's events, and for the fan-out a rate it
    // sustains; a saturating sender measures the queue it builds rather than the delivery latency.
    const paced = async (label: string, path: string, rate: number, fanout: number, cycle = 0) => {
      await new Promise((r) => setTimeout(r, 500));
      subscriber.reset();
      const sent = await pace(port, BROKER_HOST, path, rate, SECONDS, cycle);
      await until(`${sent.sent * fanout} deliveries (${label})`, () => subscriber.stats().received >= sent.sent * fanout, () => `${subscriber.stats().received} arrived`);
      const st = subscriber.stats();
      const seconds = (st.lastAt - sent.startedAt) / 1000;
      rows.push({
        path: label, events: sent.sent, deliveries: st.received, eventsPerSec: sent.sent / seconds, deliveriesPerSec: st.received / seconds,
        p50: percentile(st.latencies, 50), p99: percentile(st.latencies, 99),
      });
    };
    await paced(`Knit broker → 1 trigger, sent at ${TARGET_RATE}/s`, "/default/one", TARGET_RATE, 1);
    await paced(`Knit broker → 10 triggers, each event matching 1, sent at ${TARGET_RATE}/s`, "/default/split", TARGET_RATE, 1, 10);
    await paced(`Knit broker → 10 triggers, all 10, sent at ${PACED_RATE}/s`, "/default/ten", PACED_RATE, 10);

    // The same platform without its dispatcher process (KNIT_DISPATCHER=off): every delivery on the platform's thread.
    await platform.stop();
    platform = undefined;
    const solo = await platformWithBrokers(dir, subscriber, subPort, false);
    platform = solo.platform;
    port = solo.port;
    await measure("without the dispatcher: Knit broker → 1 trigger", BROKER_HOST, "/default/one", port, 1);
    await measure("without the dispatcher: 10 triggers, each event matching all 10", BROKER_HOST, "/default/ten", port, 10);
    await paced(`without the dispatcher: 1 trigger, sent at ${TARGET_RATE}/s`, "/default/one", TARGET_RATE, 1);

    // The same platform as the first (with its dispatcher), on V8's own heap sizes instead of Knit's.
    await platform.stop();
    platform = undefined;
    const v8Defaults = await platformWithBrokers(dir, subscriber, subPort, true, []);
    platform = v8Defaults.platform;
    port = v8Defaults.port;
    await paced(`V8's own heap defaults: 1 trigger, sent at ${TARGET_RATE}/s`, "/default/one", TARGET_RATE, 1);
    await paced(`V8's own heap defaults: 10 triggers, each event matching 1, sent at ${TARGET_RATE}/s`, "/default/split", TARGET_RATE, 1, 10);

    const [direct, one, split, ten, onePaced, splitPaced, tenPaced, soloOne, soloTen, soloPaced, defaultsPaced, defaultsSplit] = rows;
    const figures: Figure[] = [
      { figure: "events/s, 1 trigger", value: one.eventsPerSec.toFixed(0), target: ">= 2000", result: verdict(one.eventsPerSec >= 2000) },
      { figure: `p99 ms, 1 trigger, ${TARGET_RATE} events/s sent steadily`, value: onePaced.p99.toFixed(1), target: "<= 50", result: verdict(onePaced.p99 <= 50 && onePaced.eventsPerSec >= TARGET_RATE * 0.95) },
      { figure: "events/s, 10 triggers, each event matching 1", value: split.eventsPerSec.toFixed(0), target: ">= 2000", result: verdict(split.eventsPerSec >= 2000) },
      { figure: `p99 ms, 10 triggers, each event matching 1, ${TARGET_RATE} events/s sent steadily`, value: splitPaced.p99.toFixed(1), target: "<= 50", result: verdict(splitPaced.p99 <= 50 && splitPaced.eventsPerSec >= TARGET_RATE * 0.95) },
      { figure: "events/s, 10 triggers, each event matching all 10", value: ten.eventsPerSec.toFixed(0), target: ">= 2000", result: verdict(ten.eventsPerSec >= 2000) },
      { figure: "p99 ms, 10 triggers, each event matching all 10 (as fast as wrk sends)", value: ten.p99.toFixed(1), target: "<= 50", result: verdict(ten.p99 <= 50) },
      reported("p99 ms as fast as wrk sends (a backlog of 24 connections), 1 trigger / 10 each matching 1", `${one.p99.toFixed(1)} / ${split.p99.toFixed(1)}`),
      reported("deliveries/s, 10 triggers, each event matching all 10", ten.deliveriesPerSec.toFixed(0)),
      reported(`p50 / p99 ms, 10 triggers, all 10, sent at ${PACED_RATE} events/s`, `${tenPaced.p50.toFixed(1)} / ${tenPaced.p99.toFixed(1)}`),
      reported("events/s ratio, 1 trigger / direct", (one.eventsPerSec / direct.eventsPerSec).toFixed(2)),
      reported("broker ingress alone (no trigger matches), events/s", ingestPerSec.toFixed(0)),
      reported("events/s with / without the dispatcher process, 1 trigger", `${one.eventsPerSec.toFixed(0)} / ${soloOne.eventsPerSec.toFixed(0)} (${(one.eventsPerSec / soloOne.eventsPerSec).toFixed(2)}×)`),
      reported("deliveries/s with / without the dispatcher process, 10 triggers all matching", `${ten.deliveriesPerSec.toFixed(0)} / ${soloTen.deliveriesPerSec.toFixed(0)} (${(ten.deliveriesPerSec / soloTen.deliveriesPerSec).toFixed(2)}×)`),
      reported(`p99 ms with / without the dispatcher process, 1 trigger at ${TARGET_RATE}/s`, `${onePaced.p99.toFixed(1)} / ${soloPaced.p99.toFixed(1)}`),
      reported(`p99 ms at ${TARGET_RATE}/s, Knit's V8 flags / V8's own heap defaults, 1 trigger`, `${onePaced.p99.toFixed(1)} / ${defaultsPaced.p99.toFixed(1)}`),
      reported(`p99 ms at ${TARGET_RATE}/s, Knit's V8 flags / V8's own heap defaults, 10 triggers each matching 1`, `${splitPaced.p99.toFixed(1)} / ${defaultsSplit.p99.toFixed(1)}`),
    ];
    const text = [
      `Durable broker → trigger → subscriber — ${new Date().toISOString().slice(0, 10)}, ${machine()}`,
      `wrk -t1 -c${CONNECTIONS} -d${SECONDS}s per row, binary-mode CloudEvents; every event is in SQLite before its 202; events/s = events acknowledged / time until the last delivery arrived; latency = send (stamped by wrk) to arrival at the subscriber (a Node HTTP server on the same machine); ` +
        `"each event matching 1": Trigger i filters on type bench.event.t{i} and wrk cycles through the 10 types; "all 10": every Trigger filters on bench.event, 10 deliveries per event; ` +
        `"sent at N/s": events sent at a steady rate from this process (64 keep-alive connections at most) instead of wrk's as fast as answered; the p99 targets are read there, at ${TARGET_RATE} events/s (and events/s must keep up with it); ` +
        `deliveries are made by the dispatcher process beside the platform (a second workerd), except in the rows "without the dispatcher" (a platform started with KNIT_DISPATCHER=off, measured after the others); every platform runs V8 with Knit's heap flags (${v8FlagsFromEnv().join(" ")}) except the rows "V8's own heap defaults", a third platform with its dispatcher and no V8 flags\n`,
      table(["path", "events", "deliveries", "events/s", "deliveries/s", "p50 ms", "p99 ms"],
        rows.map((r) => [r.path, r.events, r.deliveries, r.eventsPerSec, r.deliveriesPerSec, r.p50, r.p99])),
      "",
      figuresTable(figures),
    ].join("\n");
    return { key: "eventing", title: "Eventing", text, figures };
  } finally {
    process.removeListener("SIGINT", onInt);
    await platform?.stop();
    subscriber.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) console.log((await runEventing()).text);
