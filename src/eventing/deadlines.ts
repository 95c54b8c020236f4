// Delivery deadlines shared by the attempts that start within the same tenth of a second with the same
// timeout: one AbortController and one timer for them all, fired a tenth of a second after the last
// one's deadline at most, and cleared when the last of them ends. An abort signal and a timer per
// attempt were objects enough, at thousands of deliveries a second, to make workerd's collector pause
// the thread for about 100 ms every second or two.

const DEADLINE_SLOT_MS = 100;

export class Deadlines {
  private readonly open = new Map<string, { controller: AbortController; timer: ReturnType<typeof setTimeout>; users: number }>();

  join(timeoutMs: number): { signal: AbortSignal; leave: () => void } {
    const slot = Math.floor(Date.now() / DEADLINE_SLOT_MS);
    const key = `${timeoutMs}@${slot}`;
    let entry = this.open.get(key);
    if (!entry) {
      const controller = new AbortController();
      const fireAt = (slot + 1) * DEADLINE_SLOT_MS + timeoutMs;
      const timer = setTimeout(() => {
        this.open.delete(key);
        controller.abort(new DOMException("the delivery timed out", "TimeoutError"));
      }, Math.max(0, fireAt - Date.now()));
      entry = { controller, timer, users: 0 };
      this.open.set(key, entry);
    }
    entry.users++;
    const e = entry;
    let left = false;
    return {
      signal: e.controller.signal,
      leave: () => {
        if (left) return;
        left = true;
        if (--e.users > 0) return;
        // No attempt left on it: its timer goes, and an attempt that starts later opens a deadline of its own.
        clearTimeout(e.timer);
        if (this.open.get(key) === e) this.open.delete(key);
      },
    };
  }
}
