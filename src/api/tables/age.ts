// kubectl's human durations (k8s.io/apimachinery/pkg/util/duration.HumanDuration), used for AGE,
// LAST SEEN and "N (5m ago)": 90s, 5m30s, 45m, 3h20m, 20h, 3d4h, 12d, 2y30d.

export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.floor(hours / 24) % 365;
    const y = Math.floor(hours / 24 / 365);
    return dy === 0 ? `${y}y` : `${y}y${dy}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

/**
 * A cell that reads as the time since `at` (unix ms; NaN: `<unknown>`), between `prefix` and `suffix`:
 * the one part of a Table row that changes with the time of the request, so a row can be prepared once
 * per stored object and rendered at each request.
 */
export class Since {
  constructor(
    readonly at: number,
    readonly prefix = '',
    readonly suffix = '',
  ) {}

  render(now: number): string {
    return Number.isNaN(this.at) ? '<unknown>' : `${this.prefix}${humanDuration(now - this.at)}${this.suffix}`;
  }
}

/** Since an RFC 3339 timestamp; `<unknown>` when absent or unparsable. */
export function since(ts: string | null | undefined): Since {
  return new Since(ts ? Date.parse(ts) : NaN);
}

/** Age of an RFC 3339 timestamp at `now` (unix ms); `<unknown>` when absent or unparsable. */
export function timestampSince(ts: string | null | undefined, now: number): string {
  return since(ts).render(now);
}
