// Router benchmark: the full Knit path (ingress → routing table → revision isolate) against the same
// isolate called directly from a minimal worker, side by side in one run on raw workerd.
//   npm run bench:router        (BENCH_SECONDS, BENCH_CONNECTIONS, BENCH_SEQUENTIAL to tune)

import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startPlatform, workerdBinary } from "../src/cli/start.ts";
import { freePort } from "../src/cli/state.ts";
import { bundleModule } from "../src/cli/bundle.ts";
import { applySources } from "../src/cli/apply.ts";
import { WRAPPER_MODULE, USER_MODULE, WRAPPER_SOURCE } from "../src/router/wrapper.ts";
import { REVISION_COMPATIBILITY_DATE } from "../src/router/isolate.ts";
import { machine, sequential, table, wrk, ensureWrk } from "./lib.ts";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const SEQUENTIAL = Number(process.env.BENCH_SEQUENTIAL ?? 2000);
const HOST = "bench.default.example.com";
const ACTIVATOR_HOST = "bench-activator.default.example.com";

/** The benchmarked Services: one whose warm path bypasses the activator (target-burst-capacity 0, one
 * instance kept warm), one that keeps the activator in the path (target-burst-capacity -1). */
function benchServices(dir: string): string {
  const svc = (name: string, tbc: string) => `apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: ${name}
spec:
  template:
    metadata:
      annotations:
        autoscaling.knative.dev/target-burst-capacity: "${tbc}"
        autoscaling.knative.dev/min-scale: "1"
    spec:
      containers:
        - image: worker://${join(import.meta.dirname, "..", "examples", "hello", "hello.ts")}
          env:
            - name: TARGET
              value: World
`;
  const file = join(dir, "bench.yaml");
  writeFileSync(file, `${svc("bench", "0")}---\n${svc("bench-activator", "-1")}`);
  return file;
}

/** A minimal worker that sends every request to the hello isolate through the Worker Loader. */
async function startDirect(dir: string, port: number) {
  const user = await bundleModule(join(import.meta.dirname, "..", "examples", "hello", "hello.ts"));
  const env = { TARGET: "World", K_SERVICE: "bench", K_CONFIGURATION: "bench", K_REVISION: "bench-00001" };
  const worker = `const code = { compatibilityDate: ${JSON.stringify(REVISION_COMPATIBILITY_DATE)}, mainModule: ${JSON.stringify(WRAPPER_MODULE)},
  modules: { ${JSON.stringify(WRAPPER_MODULE)}: ${JSON.stringify(WRAPPER_SOURCE)}, ${JSON.stringify(USER_MODULE)}: ${JSON.stringify(user)} },
  env: ${JSON.stringify(env)}, globalOutbound: null };
export default { fetch(request, env) { return env.LOADER.get("direct", () => code).getEntrypoint().fetch(request); } };
`;
  writeFileSync(join(dir, "direct.js"), worker);
  writeFileSync(join(dir, "direct.capnp"), `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "direct", worker = .w) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "direct") ],
);
const w :Workerd.Worker = (
  modules = [ (name = "direct.js", esModule = embed "direct.js") ],
  compatibilityDate = "2025-09-01",
  bindings = [ (name = "LOADER", workerLoader = ()) ],
);
`);
  const child = spawn(workerdBinary(), ["serve", join(dir, "direct.capnp"), "--experimental"], { stdio: "ignore" });
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(`http://127.0.0.1:${port}/`).then((r) => r.ok, () => false);
    if (ok) return child;
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error("the direct worker did not start");
}

async function main() {
  ensureWrk();
  const dir = mkdtempSync(join(tmpdir(), "knit-bench-"));
  const [port, apiPort, directPort] = [await freePort(), await freePort(), await freePort()];
  const platform = await startPlatform({ port, apiPort, stateDir: join(dir, "state"), output: () => {}, log: () => {} });
  const applied = await applySources([benchServices(dir)], { client: platform.client, namespace: "default", log: () => {} });
  if (applied.errors.length) throw applied.errors[0];
  const direct = await startDirect(dir, directPort);
  const stop = async () => {
    direct.kill();
    await platform.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  process.once("SIGINT", () => void stop().then(() => process.exit(130)));
  try {
    const knitUrl = `http://127.0.0.1:${port}/`;
    const directUrl = `http://127.0.0.1:${directPort}/`;
    wrk(knitUrl, HOST, 2, CONNECTIONS);
    wrk(directUrl, HOST, 2, CONNECTIONS);
    wrk(knitUrl, ACTIVATOR_HOST, 2, CONNECTIONS);
    const knitLoad = wrk(knitUrl, HOST, SECONDS, CONNECTIONS);
    const directLoad = wrk(directUrl, HOST, SECONDS, CONNECTIONS);
    const activatorLoad = wrk(knitUrl, ACTIVATOR_HOST, SECONDS, CONNECTIONS);
    const knitSeq = await sequential(port, HOST, SEQUENTIAL);
    const directSeq = await sequential(directPort, HOST, SEQUENTIAL);
    const activatorSeq = await sequential(port, ACTIVATOR_HOST, SEQUENTIAL);
    const ratio = knitLoad.rps / directLoad.rps;
    const addedP50 = knitSeq.p50ms - directSeq.p50ms;
    console.log(`Router path vs direct isolate — ${new Date().toISOString().slice(0, 10)}, ${machine()}`);
    console.log(`wrk -t1 -c${CONNECTIONS} -d${SECONDS}s (after a 2 s warm-up), sequential: ${SEQUENTIAL} requests one at a time over keep-alive\n`);
    console.log(table(["path", "requests/s", "p50 ms", "p99 ms", "sequential p50 ms", "sequential p99 ms"], [
      ["Knit router → revision isolate", knitLoad.rps, knitLoad.p50ms, knitLoad.p99ms, knitSeq.p50ms, knitSeq.p99ms],
      ["minimal worker → same isolate (baseline)", directLoad.rps, directLoad.p50ms, directLoad.p99ms, directSeq.p50ms, directSeq.p99ms],
      ["Knit router → activator → isolate (TBC -1)", activatorLoad.rps, activatorLoad.p50ms, activatorLoad.p99ms, activatorSeq.p50ms, activatorSeq.p99ms],
    ]));
    console.log("");
    console.log(table(["figure", "value", "target", "result"], [
      ["throughput ratio (Knit / direct)", ratio.toFixed(2), ">= 0.80", ratio >= 0.8 ? "PASS" : "MISS"],
      ["added sequential p50 (ms)", addedP50.toFixed(3), "<= 0.200", addedP50 <= 0.2 ? "PASS" : "MISS"],
      ["activator in path / warm bypass (requests/s)", (activatorLoad.rps / knitLoad.rps).toFixed(2), "(reported)", "-"],
    ]));
  } finally {
    await stop();
  }
}

await main();
