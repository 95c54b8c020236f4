// The activator's FIFO of requests waiting for capacity: bounded, with a deadline per request.

export interface Waiter<T> {
  resolve(value: T): void;
  reject(err: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

export class QueueFullError extends Error {}
export class QueueTimeoutError extends Error {}

export class WaitQueue<T> {
  private readonly waiters: Waiter<T>[] = [];
  private readonly limit: () => number;

  constructor(limit: () => number) {
    this.limit = limit;
  }

  get length(): number {
    return this.waiters.length;
  }

  /** Waits until `offer` hands this request a value, or rejects on overflow, timeout or abort. */
  wait(timeoutMs: number, signal?: AbortSignal): Promise<T> {
    if (this.waiters.length >= this.limit()) return Promise.reject(new QueueFullError("the activator's queue is full"));
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter<T> = {
        resolve: (v) => {
          clearTimeout(waiter.timer);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(waiter.timer);
          reject(e);
        },
        timer: setTimeout(() => {
          this.remove(waiter);
          reject(new QueueTimeoutError(`waited ${timeoutMs} ms for capacity`));
        }, timeoutMs),
      };
      signal?.addEventListener("abort", () => {
        if (this.remove(waiter)) waiter.reject(new Error("the client went away"));
      });
      this.waiters.push(waiter);
    });
  }

  /** Hands values to waiting requests in order while `take` yields one. */
  drain(take: () => T | undefined): void {
    while (this.waiters.length > 0) {
      const value = take();
      if (value === undefined) return;
      this.waiters.shift()!.resolve(value);
    }
  }

  private remove(waiter: Waiter<T>): boolean {
    const at = this.waiters.indexOf(waiter);
    if (at < 0) return false;
    this.waiters.splice(at, 1);
    return true;
  }
}
