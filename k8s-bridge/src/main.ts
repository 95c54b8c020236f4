// The bridge's command line:
//   node k8s-bridge/src/main.ts --knit-kubeconfig PATH [--cluster-kubeconfig PATH] [--identity NAME]
//     [--lease-namespace NS] [--lease-duration 15] [--resync 30]
// The cluster comes from --cluster-kubeconfig, else KUBECONFIG, else the in-cluster service account;
// Knit's API from --knit-kubeconfig (the kubeconfig `knit start` writes, or one made from a Secret).

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

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      "cluster-kubeconfig": { type: "string" },
      "knit-kubeconfig": { type: "string" },
      identity: { type: "string" },
      "lease-namespace": { type: "string" },
      "lease-duration": { type: "string" },
      resync: { type: "string" },
    },
  });
  const knitConfig = values["knit-kubeconfig"] ?? process.env.KNIT_KUBECONFIG;
  if (!knitConfig) {
    console.error("k8s-bridge: --knit-kubeconfig PATH (or KNIT_KUBECONFIG) is required: the kubeconfig of the Knit instance that serves the revisions");
    return 2;
  }
  const bridge = new Bridge({
    cluster: kubeconfig(values["cluster-kubeconfig"]),
    knit: kubeconfig(knitConfig),
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
