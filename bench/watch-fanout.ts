// The watchers scenario's arithmetic: what each watch connection received (an event line read cheaply, its
// arrival time), and from all connections together the figures — every event delivered to every watcher,
// the lag of each delivery behind the first delivery of the same event, the moment the last watcher had
// every pod's Running event, deliveries per second. Pure.

import { perSecond, summarize, type LatencySummary } from './stats.js';

/** One event as a watcher received it. */
export interface Arrival {
  type: string;
  name: string;
  /** The object's resourceVersion: the event's identity across watchers. */
  rv: string;
  /** The pod's phase is Running in this event. */
  running: boolean;
  atMs: number;
}

const TYPE = /^\{"type":"([A-Z]+)"/;
const META_NAME = /"metadata":\{(?:"[a-zA-Z]+":(?:"[^"]*"|\d+|true|false),)*?"name":"([^"]+)"/;
const RV = /"resourceVersion":"(\d+)"/;
const RUNNING = /"phase":"Running"/;

/**
 * The type, name, resourceVersion and Running-ness of one watch event line, without parsing the object:
 * a watcher that JSON.parsed 4 KB per event for 100 connections would time its own parsing, not the
 * daemon's delivery. Falls back to JSON.parse when the fast path does not find the fields. undefined for
 * anything but an ADDED, MODIFIED or DELETED event.
 */
export function parseEventLine(line: string): Omit<Arrival, 'atMs'> | undefined {
  const type = TYPE.exec(line)?.[1];
  if (type !== 'ADDED' && type !== 'MODIFIED' && type !== 'DELETED') return undefined;
  const name = META_NAME.exec(line)?.[1];
  const rv = RV.exec(line)?.[1];
  if (name !== undefined && rv !== undefined) return { type, name, rv, running: RUNNING.test(line) };
  const ev = JSON.parse(line) as { object?: { metadata?: { name?: string; resourceVersion?: string }; status?: { phase?: string } } };
  const m = ev.object?.metadata;
  if (!m?.name || !m.resourceVersion) return undefined;
  return { type, name: m.name, rv: m.resourceVersion, running: ev.object?.status?.phase === 'Running' };
}

export interface FanoutFigures {
  watchers: number;
  pods: number;
  /** Distinct events about the pods (by resourceVersion) that any watcher received. */
  events: number;
  /** Events received, summed over the watchers; and those some watcher did not receive (0 when complete). */
  deliveries: number;
  missing: number;
  /** From the first create until the first watcher, and until the last, had every pod's Running event. */
  firstWatcherAllRunningMs?: number;
  lastWatcherAllRunningMs?: number;
  /** Per delivery: its arrival less the first arrival of the same event at any watcher. */
  lag: LatencySummary;
  /** deliveries over the span from the first create to the last arrival. */
  deliveriesPerSecond: number;
}

/** The figures of one burst: `logs` holds each watcher's arrivals of events about `pods`, in order. */
export function fanoutFigures(logs: readonly (readonly Arrival[])[], pods: readonly string[], firstCreateAt: number): FanoutFigures {
  const ours = new Set(pods);
  const first = new Map<string, number>();
  let lastArrival = firstCreateAt;
  for (const log of logs) {
    for (const a of log) {
      if (!ours.has(a.name)) continue;
      const f = first.get(a.rv);
      if (f === undefined || a.atMs < f) first.set(a.rv, a.atMs);
      if (a.atMs > lastArrival) lastArrival = a.atMs;
    }
  }
  const lags: number[] = [];
  let deliveries = 0;
  let missing = 0;
  const allRunning: (number | undefined)[] = [];
  for (const log of logs) {
    const got = new Set<string>();
    const runningAt = new Map<string, number>();
    for (const a of log) {
      if (!ours.has(a.name) || got.has(a.rv)) continue;
      got.add(a.rv);
      deliveries++;
      lags.push(a.atMs - first.get(a.rv)!);
      if (a.running && a.type !== 'DELETED' && !runningAt.has(a.name)) runningAt.set(a.name, a.atMs);
    }
    missing += first.size - got.size;
    allRunning.push(runningAt.size === ours.size ? Math.max(...runningAt.values()) : undefined);
  }
  const complete = allRunning.length > 0 && allRunning.every((t) => t !== undefined);
  const times = allRunning.filter((t): t is number => t !== undefined);
  return {
    watchers: logs.length,
    pods: pods.length,
    events: first.size,
    deliveries,
    missing,
    firstWatcherAllRunningMs: times.length ? Math.min(...times) - firstCreateAt : undefined,
    lastWatcherAllRunningMs: complete ? Math.max(...times) - firstCreateAt : undefined,
    lag: summarize(lags),
    deliveriesPerSecond: perSecond(deliveries, lastArrival - firstCreateAt),
  };
}

/** Which collection watcher `i` of `n` watches: the first half every namespace, the rest the pods' own. */
export function watchPath(i: number, n: number, namespace: string): string {
  return i < Math.ceil(n / 2) ? '/api/v1/pods' : `/api/v1/namespaces/${namespace}/pods`;
}
