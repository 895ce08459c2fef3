// Giving the JS heap back once a churn of pods is over. V8 grows its heap during a burst of pod starts or
// deletions and gives the spare pages back only when its memory reducer sees the allocation rate stay low,
// which after a 250-pod delete took from 10 s to more than 30 s by run (the daemon's RSS then stayed
// 30-40 MB above idle). Here, once pods stopped going away for a quiet spell, one memory-reducing
// collection runs at once: V8's own low-memory notification, reached through an in-process inspector
// session (HeapProfiler.collectGarbage), as node has no other public call for it. It pauses the loop for
// tens of ms, on a node that has just gone quiet.

import inspector from 'node:inspector';
import type { Clock } from './clock.js';

/** How long after the last noted removal the heap is released. */
export const RELEASE_QUIET_MS = 5_000;

/** V8's low-memory collection: a few full, compacting collections that hand empty pages back to the OS. */
export function releaseHeap(): Promise<void> {
  return new Promise((resolve, reject) => {
    const session = new inspector.Session();
    session.connect();
    session.post('HeapProfiler.collectGarbage', (err) => {
      // Not from inside the reply's dispatch: a disconnect there never returns (Node 20).
      setImmediate(() => {
        session.disconnect();
        if (err) reject(err);
        else resolve();
      });
    });
  });
}

/**
 * Runs `release` once per churn: RELEASE_QUIET_MS after the last `note()`, a later note restarting the
 * wait. A release failing is reported to `onError`; the next churn tries again.
 */
export class HeapRelease {
  private cancel?: () => void;
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly onError: (err: unknown) => void,
    private readonly release: () => Promise<void> = releaseHeap,
  ) {}

  /** Something that held memory went away (a pod was removed). */
  note(): void {
    if (this.stopped) return;
    this.cancel?.();
    this.cancel = this.clock.setTimer(RELEASE_QUIET_MS, () => {
      this.cancel = undefined;
      if (this.stopped) return;
      this.release().catch(this.onError);
    });
  }

  stop(): void {
    this.stopped = true;
    this.cancel?.();
    this.cancel = undefined;
  }
}
