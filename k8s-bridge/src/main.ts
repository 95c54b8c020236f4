// The bridge's command line:
//   node k8s-bridge/src/main.ts (--knit-kubeconfig PATH | --knit-url URL --knit-token-file PATH
//     [--knit-ca-file PATH | --knit-insecure-skip-tls-verify]) [--cluster-kubeconfig PATH] [--identity NAME]
//     [--lease-namespace NS] [--lease-duration 15] [--resync 30]
// The cluster comes from --cluster-kubeconfig, else KUBECONFIG, else the in-cluster service account;
// Knit's API from --knit-kubeconfig (the kubeconfig `knit start` writes), or from its URL and a token
// file (a mounted Secret). Each flag has an environment variable: KNIT_KUBECONFIG, KNIT_URL, KNIT_TOKEN_FILE, KNIT_CA_FILE.

import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { parseArgs } from "node:util";
import * as k8s from "@kubernetes/client-node";
import { Bridge } from "./bridge.ts";

function kubeconfig(path: string | undefined): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  if (path) kc.loadFromFile(path);
  else kc.loadFromDefault();
  return kc;
}

function knitKubeconfig(values: Record<string, string | boolean | undefined>): k8s.KubeConfig {
  const path = (values["knit-kubeconfig"] as string | undefined) ?? process.env.KNIT_KUBECONFIG;
  if (path) return kubeconfig(path);
  const server = (values["knit-url"] as string | undefined) ?? process.env.KNIT_URL;
  const tokenFile = (values["knit-token-file"] as string | undefined) ?? process.env.KNIT_TOKEN_FILE;
  if (!server || !tokenFile) {
    throw new Error("Knit's API is required: --knit-kubeconfig PATH, or --knit-url URL with --knit-token-file PATH (a mounted Secret)");
  }
  const token = readFileSync(tokenFile, "utf8").trim();
  if (!token) throw new Error(`--knit-token-file ${tokenFile} is empty`);
  const caFile = (values["knit-ca-file"] as string | undefined) ?? process.env.KNIT_CA_FILE;
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "knit", server, ...(caFile ? { caFile } : {}), skipTLSVerify: values["knit-insecure-skip-tls-verify"] === true }],
    users: [{ name: "knit", token }],
    contexts: [{ name: "knit", cluster: "knit", user: "knit" }],
    currentContext: "knit",
  });
  return kc;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      "cluster-kubeconfig": { type: "string" },
      "knit-kubeconfig": { type: "string" },
      "knit-url": { type: "string" },
      "knit-token-file": { type: "string" },
      "knit-ca-file": { type: "string" },
      "knit-insecure-skip-tls-verify": { type: "boolean" },
      identity: { type: "string" },
      "lease-namespace": { type: "string" },
      "lease-duration": { type: "string" },
      resync: { type: "string" },
    },
  });
  let knit: k8s.KubeConfig;
  try {
    knit = knitKubeconfig(values);
  } catch (err) {
    console.error(`k8s-bridge: ${err instanceof Error ? err.message : String(err)}`);
    return 2;
  }
  const bridge = new Bridge({
    cluster: kubeconfig(values["cluster-kubeconfig"]),
    knit,
    identity: values.identity ?? process.env.POD_NAME ?? `${hostname()}-${process.pid}`,
    leaseNamespace: values["lease-namespace"] ?? process.env.POD_NAMESPACE ?? "default",
    leaseName: "knit-bridge",
    leaseDurationSeconds: Number(values["lease-duration"] ?? 15),
    resyncMs: Number(values.resync ?? 30) * 1000,
    log: (line) => console.log(`${new Date().toISOString()} ${line}`),
  });
  await bridge.start();
  await new Promise<void>((resolve) => {
    process.once("SIGTERM", resolve);
    process.once("SIGINT", resolve);
  });
  await bridge.stop();
  return 0;
}

process.exitCode = await main();
