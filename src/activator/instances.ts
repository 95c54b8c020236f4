// The instances of one revision: loaded isolates, each with its in-flight count, and the rule that
// picks one for a request (least loaded, under containerConcurrency when that is set).

export interface Instance {
  /** Worker Loader id: the revision's isolate id plus the scale epoch and an ordinal. */
  id: string;
  inFlight: number;
  /** Highest in-flight count seen (for the record that containerConcurrency held). */
  peak: number;
}

export class InstancePool {
  private list: Instance[] = [];
  private epoch: number;
  private next = 0;
  private readonly baseId: string;

  constructor(baseId: string, epoch: number) {
    this.baseId = baseId;
    this.epoch = epoch;
  }

  get size(): number {
    return this.list.length;
  }

  get all(): readonly Instance[] {
    return this.list;
  }

  get inFlight(): number {
    let n = 0;
    for (const i of this.list) n += i.inFlight;
    return n;
  }

  /** The least-loaded instance with room under `concurrency` (0 = unlimited), or undefined. */
  acquire(concurrency: number): Instance | undefined {
    let best: Instance | undefined;
    for (const i of this.list) {
      if (concurrency > 0 && i.inFlight >= concurrency) continue;
      if (!best || i.inFlight < best.inFlight) best = i;
    }
    if (best) {
      best.inFlight++;
      if (best.inFlight > best.peak) best.peak = best.inFlight;
    }
    return best;
  }

  release(instance: Instance): void {
    instance.inFlight--;
  }

  /**
   * Grows or shrinks to `n` instances. Shrinking drops idle instances first; one still serving is kept
   * until its requests finish (it is dropped at a later call). Scaling to zero starts a new epoch, so the
   * next instance is a fresh isolate (a cold start), as a new pod would be. Answers the instances added.
   */
  scaleTo(n: number): Instance[] {
    const added: Instance[] = [];
    while (this.list.length < n) {
      const instance = { id: `${this.baseId}#${this.epoch}.${this.next++}`, inFlight: 0, peak: 0 };
      this.list.push(instance);
      added.push(instance);
    }
    if (this.list.length > n) {
      const keep = this.list.filter((i) => i.inFlight > 0);
      const idle = this.list.filter((i) => i.inFlight === 0);
      this.list = [...keep, ...idle].slice(0, Math.max(n, keep.length));
    }
    if (n === 0 && this.list.length === 0) {
      this.epoch++;
      this.next = 0;
    }
    return added;
  }
}
