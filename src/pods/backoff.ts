// Crash-loop and image-pull back-off, as the kubelet's flowcontrol.Backoff does it, on the injected
// clock and as pure functions over a small record (the worker owns the map of records).
//
// Schedule (pod-lifecycle.md §6): the first restart is immediate; the first restart creates a record
// with a 10 s delay; each later restart doubles it up to 300 s (gaps 0, 10, 20, 40, 80, 160, 300 s).
// A start is allowed once now − finishedAt ≥ delay. As the kubelet's hasExpired(eventTime, lastUpdate):
// a record expires (the schedule resets) when the event — the new exit's finishedAt, for a crash loop —
// is more than 2 × 300 s after the record's last update (the restart), i.e. the container ran > 10 min.
// Expiry never depends on `now`, so a long wait cannot shorten a back-off.
// The crash-loop ceiling may be set per node (`peapod serve --max-backoff`); expiry follows it (2 × max).

export const BACKOFF_INITIAL_MS = 10_000;
export const BACKOFF_MAX_MS = 300_000;

export interface BackoffRecord {
  /** The delay the next restart must wait after the previous instance finished. */
  delayMs: number;
  /** When the record was last advanced: the time of the last restart (or failed pull). */
  lastUpdateMs: number;
}

/** Records by key (see crashLoopKey / pullKey). Owned by one pod worker. */
export type BackoffState = Map<string, BackoffRecord>;

/** Crash-loop key: pod name, namespace, uid, container name and spec hash (a new image resets it). */
export function crashLoopKey(podName: string, namespace: string, uid: string, container: string, hash: string): string {
  return `${podName}_${namespace}_${uid}_${container}_${hash}`;
}

/** Image-pull key, as the kubelet: <podUID>_<image>. */
export function pullKey(podUid: string, image: string): string {
  return `${podUid}_${image}`;
}

/** The record unless it expired for an event at `eventMs` (kubelet hasExpired: 2 × the ceiling). */
function live(rec: BackoffRecord | undefined, eventMs: number, maxMs: number): BackoffRecord | undefined {
  if (!rec) return undefined;
  return eventMs - rec.lastUpdateMs > 2 * maxMs ? undefined : rec;
}

/**
 * Whether a restart is still blocked: `since` is when the previous instance finished (crash loop)
 * or the record's last update (pulls); it is also the event expiry is judged by. Returns the end of
 * the wait and the current delay when blocked.
 */
export function backoffBlocked(
  rec: BackoffRecord | undefined,
  since: number,
  now: number,
  maxMs = BACKOFF_MAX_MS,
): { until: number; delayMs: number } | undefined {
  const r = live(rec, since, maxMs);
  if (!r) return undefined;
  const until = since + r.delayMs;
  return now < until ? { until, delayMs: r.delayMs } : undefined;
}

/**
 * The record after one more restart (or failed pull) at `now`: lastUpdate = now. `eventMs` is what
 * expiry is judged by: the finishedAt of the exit being restarted (crash loop), else now (pulls).
 */
export function backoffNext(rec: BackoffRecord | undefined, now: number, eventMs = now, maxMs = BACKOFF_MAX_MS): BackoffRecord {
  const r = live(rec, eventMs, maxMs);
  const delayMs = r ? Math.min(r.delayMs * 2, maxMs) : Math.min(BACKOFF_INITIAL_MS, maxMs);
  return { delayMs, lastUpdateMs: now };
}

/** "10s", "5m0s" as Go's time.Duration prints whole seconds (used in CrashLoopBackOff messages). */
export function formatDelay(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return `${m}m${s % 60}s`;
}
