// The dispatcher process next to the platform's workerd (see src/eventing/dispatch): started before it,
// restarted when it dies or stops answering its liveness probe (as the platform's workerd is), stopped
// with it. While it is down the platform makes its deliveries itself.

import { spawn, type ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { dispatcherConfig } from "./capnp.ts";
import { writePrivate } from "./state.ts";
import { livenessOptions, probeHttp, watchLiveness } from "./liveness.ts";

const RESTART_DELAY_MS = 100;
const MAX_RESTART_DELAY_MS = 5_000;

export interface DispatcherProcess {
  readonly pid: () => number | undefined;
  stop(): Promise<void>;
}

export interface DispatcherOptions {
  /** The platform's build directory (holds worker.js; dispatcher.capnp is written beside it). */
  buildDir: string;
  /** Unix socket it listens on; its directory should be the caller's alone. */
  socket: string;
  token: string;
  v8Flags?: readonly string[];
  workerd: string;
  output: (stream: "stdout" | "stderr", chunk: Buffer) => void;
  log: (line: string) => void;
}

export async function startDispatcher(opts: DispatcherOptions): Promise<DispatcherProcess> {
  const config = join(opts.buildDir, "dispatcher.capnp");
  // Holds the token: owner-only, like config.capnp.
  await writePrivate(config, dispatcherConfig({ workerFile: "worker.js", socket: opts.socket, token: opts.token, v8Flags: opts.v8Flags }));
  let child: ChildProcess | undefined;
  let stopped = false;
  let delay = RESTART_DELAY_MS;
  let restartTimer: ReturnType<typeof setTimeout> | undefined;
  let stopProbe = () => {};
  const liveness = livenessOptions();
  const run = () => {
    const startedAt = Date.now();
    // A dispatcher that died leaves its socket file behind, and workerd will not bind over it.
    rmSync(opts.socket, { force: true });
    const c = spawn(opts.workerd, ["serve", config, "--experimental"], { stdio: ["ignore", "pipe", "pipe"] });
    child = c;
    stopProbe = watchLiveness(() => probeHttp("http://dispatcher/healthz", liveness.timeoutMs, opts.socket), (failures) => {
      opts.log(`knit: the dispatcher did not answer its liveness probe ${failures} times in a row; killing it`);
      c.kill("SIGKILL");
    }, liveness);
    c.stdout?.on("data", (chunk: Buffer) => opts.output("stdout", chunk));
    c.stderr?.on("data", (chunk: Buffer) => opts.output("stderr", chunk));
    c.once("error", (err) => opts.log(`knit: the dispatcher could not start: ${err.message}`));
    c.once("exit", (code, signal) => {
      stopProbe();
      if (stopped) return;
      // A process that ran a while starts again at once; one that keeps dying waits longer each time.
      delay = Date.now() - startedAt > 10_000 ? RESTART_DELAY_MS : Math.min(delay * 2, MAX_RESTART_DELAY_MS);
      opts.log(`knit: the dispatcher exited (${signal ?? `code ${code}`}); restarting it in ${delay} ms (deliveries are made by the platform meanwhile)`);
      restartTimer = setTimeout(run, delay);
    });
  };
  run();
  return {
    pid: () => child?.pid,
    async stop() {
      stopped = true;
      stopProbe();
      clearTimeout(restartTimer);
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      const exited = new Promise((done) => c.once("exit", done));
      c.kill("SIGTERM");
      const timer = setTimeout(() => c.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
