// `npm run bench`: every benchmark in one run, one after the other, then one table of every target with
// PASS / MISS, and the results written into docs/benchmarks.md between its `<!-- bench:KEY:begin -->`
// and `<!-- bench:KEY:end -->` markers (the prose around them is kept).
//   BENCH_ONLY=router,scale   run some of them (their sections and the summary are rewritten)
//   BENCH_NO_DOC=1            print only

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ensureWrk, loadAverages, machine, table, versions, type BenchReport } from "./lib.ts";
import { ensureNginx } from "./nginx.ts";
import { runRouter } from "./router.ts";
import { runColdstart } from "./coldstart.ts";
import { runScale } from "./scale.ts";
import { runEventing } from "./eventing.ts";

const DOC = join(import.meta.dirname, "..", "docs", "benchmarks.md");
const BENCHES: [string, () => Promise<BenchReport>][] = [
  ["router", runRouter],
  ["coldstart", runColdstart],
  ["scale", runScale],
  ["eventing", runEventing],
];

/** Busy and total jiffies of the whole machine (/proc/stat), and those of this process and its reaped children. */
function cpuTicks(): { busy: number; total: number; ours: number } {
  const [, ...f] = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).map(Number);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = f;
  const busy = user + nice + system + irq + softirq + (steal ?? 0);
  const self = readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ").map(Number);
  return { busy, total: busy + idle + iowait, ours: self[11] + self[12] + self[13] + self[14] };
}

/** Replaces what lies between a section's markers; throws when the markers are missing. */
function replaceSection(doc: string, key: string, content: string): string {
  const begin = `<!-- bench:${key}:begin -->`;
  const end = `<!-- bench:${key}:end -->`;
  const i = doc.indexOf(begin);
  const j = doc.indexOf(end);
  if (i < 0 || j < i) throw new Error(`docs/benchmarks.md has no ${begin} … ${end} section`);
  return `${doc.slice(0, i + begin.length)}\n${content.trim()}\n${doc.slice(j)}`;
}

async function main() {
  const only = process.env.BENCH_ONLY?.split(",").map((s) => s.trim()).filter(Boolean);
  const selected = BENCHES.filter(([key]) => !only || only.includes(key));
  if (!selected.length) throw new Error(`BENCH_ONLY names none of ${BENCHES.map(([k]) => k).join(", ")}`);
  ensureWrk();
  ensureNginx();
  const started = new Date();
  const loadBefore = loadAverages();
  const ticks0 = cpuTicks();
  const header = `${started.toISOString().slice(0, 16).replace("T", " ")} UTC, ${machine().replace(/, Node \S+$/, "")}; ${versions()}`;
  console.log(`npm run bench — ${header}\nload average before (1, 5, 15 min): ${loadBefore}\n`);

  const reports: BenchReport[] = [];
  const failed: { key: string; error: string }[] = [];
  for (const [key, run] of selected) {
    const t0 = Date.now();
    console.log(`— ${key} —`);
    try {
      const report = await run();
      reports.push(report);
      console.log(`${report.text}\n(${((Date.now() - t0) / 1000).toFixed(0)} s)\n`);
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      failed.push({ key, error });
      console.log(`${key} FAILED after ${((Date.now() - t0) / 1000).toFixed(0)} s: ${error}\n`);
    }
  }

  const ticks1 = cpuTicks();
  const loadAfter = loadAverages();
  const minutes = (Date.now() - started.getTime()) / 60_000;
  const total = ticks1.total - ticks0.total;
  const others = Math.max(0, (ticks1.busy - ticks0.busy) - (ticks1.ours - ticks0.ours)) / total;
  const ours = (ticks1.ours - ticks0.ours) / total;
  const busy = others > 0.1 ? "the machine was otherwise busy (other processes used more than 10 % of its CPU time): figures may be disturbed"
    : "the machine was otherwise mostly idle";
  const rows = reports.flatMap((r) => r.figures.filter((f) => f.result !== "-").map((f) => [r.title, f.figure, f.value, f.target, f.result]));
  for (const f of failed) rows.push([f.key, "bench failed", f.error.slice(0, 120), "runs", "MISS"]);
  const pass = rows.filter((r) => r[4] === "PASS").length;
  const summary = [
    `Run ${header}.`,
    `\`npm run bench\` took ${minutes.toFixed(1)} min. Load average (1, 5, 15 min) before: ${loadBefore}; after: ${loadAfter}. ` +
      `CPU time over the run (/proc/stat, both cores): this run's processes ${(ours * 100).toFixed(0)} %, other processes ${(others * 100).toFixed(0)} %; ${busy}.`,
    "",
    "```",
    table(["bench", "figure", "value", "target", "result"], rows),
    "```",
    "",
    `${pass} of ${rows.length} targets met${failed.length ? `; failed: ${failed.map((f) => f.key).join(", ")}` : ""}.`,
  ].join("\n");
  console.log(`— summary —\n${summary}`);

  if (!process.env.BENCH_NO_DOC) {
    let doc = readFileSync(DOC, "utf8");
    doc = replaceSection(doc, "summary", summary);
    for (const r of reports) doc = replaceSection(doc, r.key, `Run ${header}:\n\n\`\`\`\n${r.text}\n\`\`\``);
    writeFileSync(DOC, doc);
    console.log(`\nwrote ${reports.length ? reports.map((r) => r.key).join(", ") + " and " : ""}the summary into docs/benchmarks.md`);
  }
  if (failed.length) process.exitCode = 1;
}

await main();
