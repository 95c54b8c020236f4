// Keeps the eventing runtime in step with the objects: each event log (Broker, channel, ApiServerSource) and each source's
// Durable Object gets its configuration when it changes, and null when its object is gone. What to push
// is computed by pure functions (resources/event-log.ts, resources/sources.ts); this only diffs and sends.

import type { Env } from "../../env.ts";
import type { Cluster } from "./cluster.ts";
import { brokerLogConfigs, channelLogConfigs } from "../resources/event-log.ts";
import { apiServerSourceLogConfigs, apiServerSourceLogName, containerSourceConfigs, pingConfigs } from "../resources/sources.ts";
import { sourceRunnerName } from "../../eventing/sources/container.ts";
import { brokerLogName, channelLogName } from "../../eventing/log-config.ts";
import { pingerName } from "../../eventing/sources/ping.ts";
import { objectId } from "../../object-ids.ts";

interface Target {
  configure(config: unknown): Promise<void>;
}

export class RuntimeSync {
  private queued = false;
  private readonly pushed = new Map<string, string>();
  private readonly env: Env;
  private readonly cluster: Cluster;
  private readonly waitUntil: (p: Promise<unknown>) => void;

  constructor(env: Env, cluster: Cluster, waitUntil: (p: Promise<unknown>) => void) {
    this.env = env;
    this.cluster = cluster;
    this.waitUntil = waitUntil;
  }

  /** Coalesces the changes of one write into one sync. */
  changed(): void {
    if (this.queued) return;
    this.queued = true;
    queueMicrotask(() => {
      this.queued = false;
      this.sync();
    });
  }

  sync(): void {
    const list = (key: string) => this.cluster.objects.list(key) as never;
    const desired = new Map<string, unknown>();
    for (const c of brokerLogConfigs(list("brokers.eventing.knative.dev"), list("triggers.eventing.knative.dev"))) {
      desired.set(`events|${brokerLogName(c.namespace, c.name)}`, c);
    }
    for (const c of channelLogConfigs(list("inmemorychannels.messaging.knative.dev"), list("subscriptions.messaging.knative.dev"))) {
      desired.set(`events|${channelLogName(c.namespace, c.name)}`, c);
    }
    for (const c of apiServerSourceLogConfigs(list("apiserversources.sources.knative.dev"))) {
      desired.set(`events|${apiServerSourceLogName(c.namespace, c.name)}`, c);
    }
    for (const c of pingConfigs(list("pingsources.sources.knative.dev"))) desired.set(`ping|${pingerName(c.namespace, c.name)}`, c);
    for (const c of containerSourceConfigs(list("containersources.sources.knative.dev"))) desired.set(`runner|${sourceRunnerName(c.namespace, c.name)}`, c);

    for (const [key, config] of desired) {
      const text = JSON.stringify(config);
      if (this.pushed.get(key) === text) continue;
      this.pushed.set(key, text);
      this.waitUntil(this.target(key).configure(config).catch(() => this.pushed.delete(key)));
    }
    for (const key of [...this.pushed.keys()]) {
      if (desired.has(key)) continue;
      this.pushed.delete(key);
      this.waitUntil(this.target(key).configure(null).catch(() => {}));
    }
  }

  private target(key: string): Target {
    const [kind, name] = key.split("|");
    const ns = kind === "events" ? this.env.EVENTS : kind === "ping" ? this.env.PINGERS : this.env.RUNNERS;
    return ns.get(objectId(ns, name)) as unknown as Target;
  }
}
