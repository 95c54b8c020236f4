// Which API this isolate serves: Knit (the default) or, with MODE=cluster, a stand-in Kubernetes API
// server for the bridge (see api/cluster-kinds.ts). Applied before the kinds are first used.

import type { Env } from "./env.ts";
import { enterClusterMode } from "./api/cluster-kinds.ts";

export function applyMode(env: Env): void {
  if (env.MODE === "cluster") enterClusterMode();
}
