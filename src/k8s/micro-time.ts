// metav1.MicroTime on the wire: RFC 3339 with exactly six fractional digits ("2006-01-02T15:04:05.000000Z07:00",
// Go's RFC3339Micro), written back in UTC. Leases' acquireTime/renewTime and events' eventTime and
// series.lastObservedTime are MicroTimes; kube-apiserver refuses to decode any other form.

export const MICRO_TIME_LAYOUT = '2006-01-02T15:04:05.000000Z07:00';

const MICRO = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d{6})(Z|[+-]\d\d:\d\d)$/;
const SECONDS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/;

/** A MicroTime of the clock in ms (the microseconds are the ms padded: "….123000Z"). */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/**
 * The UTC form of a MicroTime as the API server writes it back, or the decode error (Go's
 * time.Parse wording) for a string that is not one.
 */
export function normalizeMicroTime(value: string): { ok: true; value: string } | { ok: false; error: string } {
  const m = MICRO.exec(value);
  const fail = (rest: string, as: string) => ({ ok: false as const, error: `parsing time ${JSON.stringify(value)} as ${JSON.stringify(MICRO_TIME_LAYOUT)}: cannot parse ${JSON.stringify(rest)} as ${JSON.stringify(as)}` });
  if (!m) {
    const head = SECONDS.exec(value);
    if (!head) return fail(value, '2006');
    const rest = value.slice(head[0].length);
    return /^\.\d{6}/.test(rest) ? fail(rest.slice(7), 'Z07:00') : fail(rest, '.000000');
  }
  const [, base, frac, zone] = m;
  const ms = Date.parse(`${base}${zone}`);
  if (Number.isNaN(ms)) return { ok: false, error: `parsing time ${JSON.stringify(value)}: day out of range` };
  if (zone === 'Z') return { ok: true, value };
  return { ok: true, value: `${new Date(ms).toISOString().slice(0, 19)}${frac}Z` };
}

/** Milliseconds since the epoch of a MicroTime or Time string; undefined when it does not parse. */
export function timeMs(value: unknown): number | undefined {
  if (typeof value !== 'string' || !value) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
