// Runs the k8s-bridge as its own process (`node k8s-bridge/src/main.ts`) between a "cluster" (a Knit in
// cluster mode) and a Knit, and keeps its log.

import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, type KnitHandle } from "./platform.ts";

export interface BridgeHandle {
  child: ChildProcess;
  out(): string;
}

/**
 * Knit's API comes from its kubeconfig, or (`viaSecretFiles`) from its URL with the token and certificate
 * in files, as a cluster mounts them from a Secret.
 */
export function startBridge(cluster: KnitHandle, knit: KnitHandle, identity: string, opts: { viaSecretFiles?: boolean } = {}): BridgeHandle {
  let knitFlags = ["--knit-kubeconfig", knit.kubeconfig];
  if (opts.viaSecretFiles) {
    const dir = mkdtempSync(join(tmpdir(), "knit-secret-"));
    writeFileSync(join(dir, "token"), knit.token);
    writeFileSync(join(dir, "ca.crt"), knit.ca);
    knitFlags = ["--knit-url", knit.api, "--knit-token-file", join(dir, "token"), "--knit-ca-file", join(dir, "ca.crt")];
  }
  const child = spawn(process.execPath, [join(ROOT, "k8s-bridge", "src", "main.ts"),
    "--cluster-kubeconfig", cluster.kubeconfig, ...knitFlags,
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
