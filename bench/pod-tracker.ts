// Turns a pods watch into "when did pod X first have every container running" and "when was it gone",
// so a scenario can await either by name. Events that arrive before anyone waits are remembered.

import { allContainersRunning, type PodObject } from './pod-state.js';
import type { WatchEvent } from './api-client.js';

interface Waiter {
  resolve: (atMs: number) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export class PodTracker {
  private readonly runningAt = new Map<string, number>();
  private readonly goneAt = new Map<string, number>();
  /** The pod object at the moment it was first seen running (for the profile). */
  readonly runningObject = new Map<string, PodObject>();
  private readonly runningWaiters = new Map<string, Waiter>();
  private readonly goneWaiters = new Map<string, Waiter>();
  private failure?: Error;

  onEvent(ev: WatchEvent, atMs: number): void {
    const name = ev.object?.metadata?.name;
    if (!name || ev.type === 'BOOKMARK') return;
    if (ev.type === 'DELETED') {
      if (!this.goneAt.has(name)) this.goneAt.set(name, atMs);
      this.settle(this.goneWaiters, name, atMs);
      return;
    }
    if (ev.type === 'ERROR') return;
    if (!this.runningAt.has(name) && allContainersRunning(ev.object)) {
      this.runningAt.set(name, atMs);
      this.runningObject.set(name, ev.object);
      this.settle(this.runningWaiters, name, atMs);
    }
  }

  /** The watch failed: every current and later wait fails with this error. */
  fail(err: Error): void {
    this.failure = err;
    for (const m of [this.runningWaiters, this.goneWaiters]) {
      for (const [name, w] of m) {
        clearTimeout(w.timer);
        w.reject(err);
        m.delete(name);
      }
    }
  }

  waitRunning(name: string, timeoutMs: number): Promise<number> {
    return this.wait(this.runningAt, this.runningWaiters, name, timeoutMs, 'running');
  }

  waitGone(name: string, timeoutMs: number): Promise<number> {
    return this.wait(this.goneAt, this.goneWaiters, name, timeoutMs, 'gone');
  }

  private wait(seen: Map<string, number>, waiters: Map<string, Waiter>, name: string, timeoutMs: number, what: string): Promise<number> {
    const at = seen.get(name);
    if (at !== undefined) return Promise.resolve(at);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(name);
        reject(new Error(`pod ${name} not ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      waiters.set(name, { resolve, reject, timer });
    });
  }

  private settle(waiters: Map<string, Waiter>, name: string, atMs: number): void {
    const w = waiters.get(name);
    if (!w) return;
    clearTimeout(w.timer);
    waiters.delete(name);
    w.resolve(atMs);
  }
}
