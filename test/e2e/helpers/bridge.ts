// Runs the k8s-bridge as its own process (`node k8s-bridge/src/main.ts`) between a "cluster" (a Knit in
// cluster mode) and a Knit, and keeps its log.

import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { ROOT, type KnitHandle } from "./platform.ts";

export interface BridgeHandle {
  child: ChildProcess;
  out(): string;
}

export function startBridge(cluster: KnitHandle, knit: KnitHandle, identity: string): BridgeHandle {
  const child = spawn(process.execPath, [join(ROOT, "k8s-bridge", "src", "main.ts"),
    "--cluster-kubeconfig", cluster.kubeconfig, "--knit-kubeconfig", knit.kubeconfig,
    "--identity", identity, "--lease-duration", "2", "--resync", "2"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (out += c.toString()));
  return { child, out: () => out };
}

export async function stopBridge(b: BridgeHandle, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (b.child.exitCode !== null || b.child.signalCode !== null) return;
  const exited = new Promise((r) => b.child.once("exit", r));
  b.child.kill(signal);
  await exited;
}
