// Spreads synchronous work over event-loop turns. When a burst of pods moves together (250 runc kills
// answered in one read of the spawn helper's channel, 250 timers due at once), every pod's pass would
// run its synchronous part (status computation, a store write and its watch fan-out) back to back in
// one turn, and an API request that arrived meanwhile would wait for all of them: 100-200 ms measured.
// A pass awaits next() before such a part instead: each turn of the loop lets one waiter go, and in
// between the loop polls for I/O, so a request waits for one pass's part, not for the burst's.
//
// Cost: one setImmediate per waiter (microseconds); throughput stays thousands of parts per second.

export class LoopTurns {
  private readonly waiting: (() => void)[] = [];
  private scheduled = false;

  /** Resolves on a later turn of the loop, after those who asked earlier (first come, first served). */
  next(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.waiting.push(resolve);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(this.release);
      }
    });
  }

  /** Waiters not yet let go. */
  get pending(): number {
    return this.waiting.length;
  }

  // One waiter per turn: its continuation runs as microtasks right after this callback; the next
  // release is an immediate queued now, which Node runs on the next turn, after the I/O poll.
  private readonly release = (): void => {
    this.waiting.shift()?.();
    if (this.waiting.length) setImmediate(this.release);
    else this.scheduled = false;
  };
}

/** The daemon's one queue of turns: pod workers and the spawn helper's replies share it, first come first served. */
export const loopTurns = new LoopTurns();
