// The activator: one Durable Object per revision. It holds the revision's instances, queues requests
// that find no capacity (from zero, or every instance at containerConcurrency), hands them out in
// order as capacity frees, and runs the KPA decider every second on the metrics it sees.

import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.ts";
import type { RevisionTarget } from "../router/table.ts";
import { cachingScripts, revisionStub, isolateId } from "../router/isolate.ts";
import { PROBE_HEADER } from "../router/wrapper.ts";
import { parseAutoscalerSpec, type AutoscalerSpec } from "../autoscaler/spec.ts";
import { decide, INITIAL_DECIDER_STATE, type DeciderState } from "../autoscaler/decider.ts";
import { InstancePool, type Instance } from "./instances.ts";
import { QueueFullError, QueueTimeoutError, WaitQueue } from "./queue.ts";
import { RevisionMetrics } from "./metrics.ts";
import { Histogram, RequestStats, type HistogramSnapshot, type RequestDelta } from "./stats.ts";
import { objectId } from "../object-ids.ts";
import { callPod } from "../router/pod.ts";

const TICK_MS = 1000;
/**
 * How late a tick may come when this object was evicted or the platform restarted and only its alarm
 * wakes it. Ticks run from an in-memory timer; the stored alarm is their backstop and is rewritten only
 * when it would come too early or too late, since every alarm write is a SQLite commit (an fsync) on the
 * thread that also routes requests: once a second per busy revision added up.
 */
const ALARM_SLACK_MS = 10_000;
const SAVED_KEY = "revision";
const REPORT_DELAY_MS = 100;

/** What the activator keeps on disk: enough to come back after an eviction or a restart. */
interface Saved {
  target: RevisionTarget;
  data: Record<string, string>;
}

export interface CapacityView {
  version: number;
  /** Instance ids the router may call directly, when `bypass` is true. */
  instances: string[];
  bypass: boolean;
}

/** One revision's figures for /metrics. */
export interface RevisionStats {
  namespace: string;
  revision: string;
  service?: string;
  configuration: string;
  inFlight: number;
  queueDepth: number;
  desiredScale: number;
  actualScale: number;
  activatorInPath: boolean;
  /** Requests the activator served, and those the routers sent straight to an instance. */
  activator: RequestDelta;
  direct: RequestDelta;
  coldStarts: number;
  coldStartLatency: HistogramSnapshot;
}

export class Activator extends DurableObject<Env> {
  private target: RevisionTarget | undefined;
  private spec: AutoscalerSpec | undefined;
  private data: Record<string, string> | undefined;
  private pool: InstancePool | undefined;
  private readonly queue = new WaitQueue<Instance>(() => this.spec?.queueDepth ?? 10_000);
  private readonly metrics = new RevisionMetrics(Date.now());
  private decider: DeciderState = INITIAL_DECIDER_STATE;
  private desired = 0;
  private excessBurst = -1;
  private reported = "";
  private reportTimer: ReturnType<typeof setTimeout> | undefined;
  private ticking = false;
  private nextTickAt = 0;
  private tickTimer: ReturnType<typeof setTimeout> | undefined;
  /** When the stored alarm fires (0: none set by this object since it started). */
  private alarmAt = 0;
  private capacityVersion = Date.now();
  private coldStarts = 0;
  private readonly scripts = cachingScripts((digest) => this.store().script(digest));
  private readonly coldStartLatency = new Histogram();
  private readonly served = new RequestStats();
  private readonly bypassed = new RequestStats();
  /** The routers' average in-flight count on the bypass path, from their last report. */
  private bypassConcurrency = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // An activator that was evicted or restarted with the platform comes back at its min-scale.
    ctx.blockConcurrencyWhile(async () => {
      const saved = await ctx.storage.get<Saved>(SAVED_KEY);
      if (saved && !this.target) {
        this.configure(saved.target, saved.data, true);
        this.startTicking();
      }
    });
  }

  /** Serves one request for the revision, queueing it until an instance has room. */
  async serve(request: Request, target: RevisionTarget, autoscalerData: Record<string, string>): Promise<Response> {
    this.configure(target, autoscalerData);
    const spec = this.spec!;
    const timeoutMs = (target.timeoutSeconds || 300) * 1000;
    const arrived = Date.now();
    // A request waiting for an instance is traffic: a tick during a cold start must not find the revision
    // idle since its last served request and scale it back to zero under the waiting request.
    this.metrics.lastRequestAt = arrived;
    let cold = false;
    let instance = this.pool!.acquire(spec.containerConcurrency);
    if (!instance) {
      if (this.pool!.size === 0) {
        cold = true;
        // This request loads the first instance itself; only the others are preloaded.
        this.scaleTo(Math.max(this.desired, spec.activationScale, spec.minScale, 1), 1);
      }
      instance = this.pool!.acquire(spec.containerConcurrency);
    }
    if (!instance) {
      try {
        // workerd does not abort a request's signal when its HTTP client disconnects (see docs/serving.md),
        // so in practice a queued request stays until served or timed out; the signal is honoured if it fires.
        instance = await this.queue.wait(timeoutMs, request.signal);
      } catch (err) {
        const res = err instanceof QueueFullError
          ? text(503, `revision "${target.name}" is overloaded: the activator's queue is full\n`, { "retry-after": "1" })
          : err instanceof QueueTimeoutError
            ? text(504, `revision "${target.name}" had no capacity within ${target.timeoutSeconds}s (timeoutSeconds)\n`)
            : text(499, "client closed request\n");
        this.served.record(res.status, Date.now() - arrived);
        return res;
      }
    }
    const res = await this.forward(instance, request, target, timeoutMs);
    const ms = Date.now() - arrived;
    this.served.record(res.status, ms);
    if (cold) this.coldStartLatency.observe(ms);
    return res;
  }

  /** A new revision: start at its initial scale (min-scale included), as Knative does on creation. */
  async warm(target: RevisionTarget, autoscalerData: Record<string, string>): Promise<void> {
    this.configure(target, autoscalerData);
    this.startTicking();
  }

  /** After a restart: hold the revision's min-scale again (not its initial scale: it is not new). */
  async restore(target: RevisionTarget, autoscalerData: Record<string, string>): Promise<void> {
    this.configure(target, autoscalerData, true);
    this.startTicking();
  }

  /** The revision was deleted: drop its instances and forget it. */
  async retire(): Promise<void> {
    if (this.pool) this.pool.scaleTo(0);
    this.target = undefined;
    this.spec = undefined;
    this.pool = undefined;
    await this.ctx.storage.deleteAll();
  }

  /** What a router may do without the activator: call these instances directly. */
  async capacity(): Promise<CapacityView> {
    return { version: this.capacityVersion, instances: this.bypass() ? this.pool!.all.map((i) => i.id) : [], bypass: this.bypass() };
  }

  /** A router's counts from the bypass path for the last bucket. */
  async report(concurrency: number, requests: number, delta?: RequestDelta): Promise<void> {
    this.metrics.merge(Date.now(), concurrency, requests);
    this.bypassConcurrency = concurrency;
    if (delta) this.bypassed.merge(delta);
    this.startTicking();
  }

  async stats(): Promise<RevisionStats | null> {
    const t = this.target;
    if (!t) return null;
    return {
      namespace: t.namespace,
      revision: t.name,
      service: t.service,
      configuration: t.configuration,
      inFlight: (this.pool?.inFlight ?? 0) + Math.round(this.bypass() ? this.bypassConcurrency : 0),
      queueDepth: this.queue.length,
      desiredScale: this.desired,
      actualScale: this.pool?.size ?? 0,
      activatorInPath: !this.bypass(),
      activator: this.served.snapshot(),
      direct: this.bypassed.snapshot(),
      coldStarts: this.coldStarts,
      coldStartLatency: this.coldStartLatency.snapshot(),
    };
  }

  /** The highest in-flight count any instance has had (each instance's own record). */
  async peaks(): Promise<{ id: string; peak: number }[]> {
    return (this.pool?.all ?? []).map((i) => ({ id: i.id, peak: i.peak }));
  }

  override async alarm(): Promise<void> {
    this.alarmAt = 0;
    this.ticking = false;
    this.tick();
  }

  private configure(target: RevisionTarget, data: Record<string, string>, restoring = false): void {
    const changed = !this.target || this.target.digest !== target.digest || this.spec === undefined ||
      JSON.stringify(this.target.annotations) !== JSON.stringify(target.annotations) || JSON.stringify(this.data) !== JSON.stringify(data);
    if (changed) {
      this.spec = parseAutoscalerSpec(data, target.annotations, target.containerConcurrency);
      this.data = data;
      this.ctx.storage.put(SAVED_KEY, { target, data } satisfies Saved).catch(() => {});
    }
    if (!this.pool || !this.target || isolateId(this.target) !== isolateId(target)) {
      this.pool = new InstancePool(isolateId(target), Date.now());
      this.target = target;
      // Becoming active counts as activity: the KPA holds the initial scale for a stable window.
      this.metrics.lastRequestAt ??= Date.now();
      // Pods outlive a restart of the platform: a restored pod revision keeps the pods it has.
      const restored = isPod(target) ? Math.max(this.spec!.minScale, target.pod?.readyReplicas ?? 0) : this.spec!.minScale;
      this.scaleTo(restoring ? restored : Math.max(this.spec!.initialScale, this.spec!.minScale));
    }
    this.target = target;
    if (isPod(target)) this.followPods(target);
  }

  /**
   * A pod revision's instances are its ready pods as the bridge reports them: the activator decides the
   * scale (the bridge sets the Deployment's replicas to it) but only the pods' readiness adds capacity.
   */
  private followPods(target: RevisionTarget): void {
    const ready = target.pod?.readyReplicas ?? 0;
    const before = this.pool!.size;
    this.pool!.scaleTo(ready);
    if (this.pool!.size !== before) this.capacityVersion++;
    this.queue.drain(() => this.pool!.acquire(this.spec!.containerConcurrency));
    this.reportScale();
    if (this.pool!.size > 0 || this.queue.length > 0) this.startTicking();
  }

  private async forward(instance: Instance, request: Request, target: RevisionTarget, timeoutMs: number): Promise<Response> {
    const start = Date.now();
    this.metrics.started(start);
    this.startTicking();
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const call = isPod(target)
        ? callPod(this.target ?? target, request)
        : revisionStub(this.env.LOADER, target, this.scripts, this.env.OUTBOUND ?? this.env.PUBLIC_NET ?? null, instance.id).fetch(request);
      const timedOut = new Promise<Response>((resolve) => {
        timer = setTimeout(() => resolve(text(504, `revision "${target.name}" did not answer within ${target.timeoutSeconds}s (timeoutSeconds)\n`)), timeoutMs);
      });
      return await Promise.race([call, timedOut]);
    } catch (err) {
      return text(502, `revision "${target.name}" failed: ${err instanceof Error ? err.message : String(err)}\n`);
    } finally {
      clearTimeout(timer);
      this.metrics.finished(Date.now());
      this.pool!.release(instance);
      this.queue.drain(() => this.pool!.acquire(this.spec!.containerConcurrency));
    }
  }

  private tick(): void {
    if (!this.spec || !this.pool) return;
    const now = Date.now();
    const stable = this.metrics.window(now, this.spec.stableWindowMs);
    const panic = this.metrics.window(now, this.spec.panicWindowMs);
    const pick = (w: { concurrency: number; rps: number }) => (this.spec!.metric === "rps" ? w.rps : w.concurrency);
    const decision = decide(this.spec, {
      now,
      stableValue: pick(stable),
      panicValue: pick(panic) + this.queue.length,
      readyInstances: this.pool.size,
      lastRequestAt: this.metrics.lastRequestAt,
    }, this.decider);
    this.decider = decision.state;
    this.excessBurst = decision.excessBurstCapacity;
    this.scaleTo(decision.desiredScale);
    if (this.pool.size === 0 && this.queue.length === 0) return;
    const idle = stable.concurrency === 0 && stable.rps === 0 && panic.concurrency === 0 && panic.rps === 0 &&
      this.queue.length === 0 && this.pool.inFlight === 0 && !decision.panicking;
    if (!idle) return this.startTicking();
    // No traffic in the stable window: the decision can only change when the revision may reach zero or a
    // scale-down delay runs out (or when a request comes, which ticks again). A thousand idle revisions
    // then cost nothing between those times instead of a tick each second.
    const wake = this.idleWakeAt(now);
    if (wake !== undefined) this.startTicking(Math.max(TICK_MS, wake - now));
  }

  private scaleTo(n: number, loadedByRequest = 0): void {
    const before = this.pool!.size;
    if (before === 0 && n > 0 && (!isPod(this.target!) || this.desired === 0)) this.coldStarts++;
    this.desired = n;
    if (isPod(this.target!)) {
      // Pods are the bridge's to start: the decision is reported, and ready pods arrive as reports.
      this.reportScale();
      return;
    }
    for (const added of this.pool!.scaleTo(n).slice(loadedByRequest)) this.preload(added);
    if (this.pool!.size !== before) this.capacityVersion++;
    this.queue.drain(() => this.pool!.acquire(this.spec!.containerConcurrency));
    this.reportScale();
  }

  /** Loads a new instance's isolate now, as a pod starts before it is sent traffic (min-scale stays warm). */
  private preload(instance: Instance): void {
    const target = this.target!;
    const stub = revisionStub(this.env.LOADER, target, this.scripts, this.env.OUTBOUND ?? this.env.PUBLIC_NET ?? null, instance.id);
    this.ctx.waitUntil(stub.fetch("http://probe.knit.internal/", { headers: { [PROBE_HEADER]: "1" } }).then((r) => r.body?.cancel(), () => {}));
  }

  private bypass(): boolean {
    return !!this.spec && this.spec.containerConcurrency === 0 && this.pool!.size > 0 && this.excessBurst >= 0 && this.spec.targetBurstCapacity !== -1;
  }

  /** Sends the scale to the Store a moment later, so a burst of changes (and a cold start) costs one report. */
  private reportScale(): void {
    if (this.reportTimer !== undefined || !this.target) return;
    this.reportTimer = setTimeout(() => {
      this.reportTimer = undefined;
      const t = this.target;
      if (!t || !this.pool) return;
      const key = `${this.desired}/${this.pool.size}`;
      if (key === this.reported) return;
      this.reported = key;
      this.ctx.waitUntil(this.store().reportScale(t.namespace, t.name, this.desired, this.pool.size).catch(() => {
        this.reported = "";
      }));
    }, REPORT_DELAY_MS);
  }


  /** When an idle revision's decision next can change, or undefined when only traffic can change it. */
  private idleWakeAt(now: number): number | undefined {
    const spec = this.spec!;
    const times: number[] = [];
    if (spec.enableScaleToZero && this.pool!.size > spec.minScale) {
      const last = this.metrics.lastRequestAt ?? now;
      times.push(last + Math.max(spec.stableWindowMs + spec.scaleToZeroGraceMs, spec.retentionMs));
    }
    for (const r of this.decider.recent) if (r.desired > this.desired) times.push(r.at + spec.scaleDownDelayMs);
    return times.length ? Math.min(...times) + 1 : undefined;
  }

  /** Runs the decider after `delayMs`, or sooner if a tick is already due sooner. */
  private startTicking(delayMs = TICK_MS): void {
    const at = Date.now() + delayMs;
    if (this.ticking && this.nextTickAt <= at) return;
    this.ticking = true;
    this.nextTickAt = at;
    clearTimeout(this.tickTimer);
    this.tickTimer = setTimeout(() => {
      this.tickTimer = undefined;
      this.ticking = false;
      this.tick();
    }, delayMs);
    // An alarm firing early only ticks once more; one firing within the slack after `at` is kept.
    if (this.alarmAt >= at && this.alarmAt <= at + ALARM_SLACK_MS) return;
    // A long wait (an idle revision's next decision) is stored to the moment; the once-a-second ticks of a
    // busy revision share one alarm until it would come too late.
    this.alarmAt = delayMs > TICK_MS ? at : at + ALARM_SLACK_MS - TICK_MS;
    this.ctx.waitUntil(this.ctx.storage.setAlarm(this.alarmAt));
  }

  private store() {
    return this.env.STORE.get(objectId(this.env.STORE, "cluster"));
  }
}

/** A revision of any image but worker://, run as pods by the Kubernetes bridge. */
function isPod(target: RevisionTarget): boolean {
  return !target.digest;
}

function text(status: number, body: string, headers: Record<string, string> = {}): Response {
  return new Response(body, { status, headers: { "content-type": "text/plain; charset=utf-8", ...headers } });
}
