// Bounds on concurrent watches: at most `total` open at once, and at most `perClient` for one client
// (its user name, or its address when it sent no credentials). A watch over either bound is refused
// before its stream starts, as the API server's max-in-flight filter refuses work it has no seat for:
// 429 TooManyRequests, "Too many requests, please try again later.", Retry-After: 1 (clients retry,
// a reflector backs off and watches again). The defaults admit the bench's watchers scenario (100 watch
// connections of one user) many times over.

export interface WatchLimits {
  /** Watches open at once, every client together. */
  total: number;
  /** Watches one client may hold open at once. */
  perClient: number;
}

export const DEFAULT_WATCH_LIMITS: WatchLimits = { total: 4096, perClient: 1024 };

/** Seconds a refused client is told to wait (the API server's max-in-flight filter says 1). */
export const WATCH_RETRY_AFTER_SECONDS = 1;

export class WatchLimiter {
  private open = 0;
  private readonly byClient = new Map<string, number>();

  constructor(readonly limits: WatchLimits = DEFAULT_WATCH_LIMITS) {}

  /** A seat for one more watch of `client`, or undefined when a bound is reached; release() frees it (once). */
  acquire(client: string): (() => void) | undefined {
    const mine = this.byClient.get(client) ?? 0;
    if (this.open >= this.limits.total || mine >= this.limits.perClient) return undefined;
    this.open++;
    this.byClient.set(client, mine + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.open--;
      const n = (this.byClient.get(client) ?? 1) - 1;
      if (n > 0) this.byClient.set(client, n);
      else this.byClient.delete(client);
    };
  }

  /** Watches open now (all clients). */
  get size(): number {
    return this.open;
  }
}
