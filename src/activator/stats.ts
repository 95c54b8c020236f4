// Request statistics a revision exposes on /metrics: responses by status class, a latency histogram,
// cold starts and their latency. The router keeps a delta for the requests that bypass the activator
// and sends it with its per-second report, so the activator holds the revision's whole picture.

/** Upper bounds in milliseconds; the last bucket (+Inf) is implied. */
export const LATENCY_BUCKETS_MS = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000] as const;

export interface HistogramSnapshot {
  /** Count per bucket (not cumulative), one more than LATENCY_BUCKETS_MS for +Inf. */
  counts: number[];
  sumMs: number;
}

export class Histogram {
  counts: number[] = new Array(LATENCY_BUCKETS_MS.length + 1).fill(0);
  sumMs = 0;

  observe(ms: number): void {
    let i = 0;
    while (i < LATENCY_BUCKETS_MS.length && ms > LATENCY_BUCKETS_MS[i]) i++;
    this.counts[i]++;
    this.sumMs += ms;
  }

  merge(other: HistogramSnapshot): void {
    for (let i = 0; i < this.counts.length && i < other.counts.length; i++) this.counts[i] += other.counts[i];
    this.sumMs += other.sumMs;
  }

  get count(): number {
    let n = 0;
    for (const c of this.counts) n += c;
    return n;
  }

  snapshot(): HistogramSnapshot {
    return { counts: [...this.counts], sumMs: this.sumMs };
  }
}

/** "2xx", "4xx", … as Knative's response_code_class label. */
export function codeClass(status: number): string {
  return `${Math.floor(status / 100)}xx`;
}

export interface RequestDelta {
  /** Responses by status class. */
  codes: Record<string, number>;
  latency: HistogramSnapshot;
}

/** Counts requests for one path (the router's bypass, or the activator) until they are taken. */
export class RequestStats {
  codes: Record<string, number> = {};
  latency = new Histogram();

  record(status: number, ms: number): void {
    const k = codeClass(status);
    this.codes[k] = (this.codes[k] ?? 0) + 1;
    this.latency.observe(ms);
  }

  merge(delta: RequestDelta): void {
    for (const [k, n] of Object.entries(delta.codes)) this.codes[k] = (this.codes[k] ?? 0) + n;
    this.latency.merge(delta.latency);
  }

  /** What was counted since the last take, and a fresh start (the router's side). */
  take(): RequestDelta {
    const delta = { codes: this.codes, latency: this.latency.snapshot() };
    this.codes = {};
    this.latency = new Histogram();
    return delta;
  }

  snapshot(): RequestDelta {
    return { codes: { ...this.codes }, latency: this.latency.snapshot() };
  }
}
