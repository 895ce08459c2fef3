// A counting semaphore: at most `limit` tasks run at once, the rest wait in arrival order.

import { performance } from 'node:perf_hooks';

export class Limiter {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  /** performance.now() when the last task ended with none left; undefined while one runs. */
  private idleFrom: number | undefined = performance.now();

  constructor(readonly limit: number) {
    if (!(limit >= 1)) throw new RangeError(`limiter: limit must be at least 1, not ${limit}`);
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    this.idleFrom = undefined;
    try {
      return await task();
    } finally {
      // The slot passes straight to the next waiter, so a newcomer cannot jump the queue.
      const next = this.waiting.shift();
      if (next) next();
      else if (--this.running === 0) this.idleFrom = performance.now();
    }
  }

  /** How long no task has run, ms (0 while one runs). */
  idleMs(): number {
    return this.idleFrom === undefined ? 0 : performance.now() - this.idleFrom;
  }

  /** Tasks waiting for a slot. */
  get queued(): number {
    return this.waiting.length;
  }
}
