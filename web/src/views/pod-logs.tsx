// The logs tab: one container's log (init, regular and ephemeral containers alike), read as a stream
// (follow) or once, with previous/timestamps and the last N lines. Any change of the options aborts the
// stream and starts another; so does leaving the tab. The output keeps at most ~1 MB of text (the oldest
// lines go) and follows the end while the reader is at the bottom.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, streamText } from '../api.js';
import { containersOf, podPath, type Pod, type PodContainer } from './pod-model.js';

/** The most text the output holds; beyond it the oldest lines are dropped. */
export const LOG_CAP = 1_000_000;

/** `text` cut to at most `cap` characters by dropping whole lines from the start (one partial line if it must). */
export function capText(text: string, cap = LOG_CAP): string {
  if (text.length <= cap) return text;
  const start = text.length - cap;
  const nl = text.indexOf('\n', start);
  return nl >= 0 && nl < text.length - 1 ? text.slice(nl + 1) : text.slice(start);
}

const GROUPS: { label: string; kinds: PodContainer['kind'][] }[] = [
  { label: 'Init containers', kinds: ['init', 'sidecar'] },
  { label: 'Containers', kinds: ['app'] },
  { label: 'Ephemeral containers', kinds: ['ephemeral'] },
];

type StreamState = { kind: 'idle' } | { kind: 'reading' } | { kind: 'following' } | { kind: 'ended' } | { kind: 'error'; message: string };

export function LogsTab({ namespace, name, pod }: { namespace: string; name: string; pod: Pod | undefined }) {
  const containers = containersOf(pod);
  const [chosen, setChosen] = useState<string>();
  const [follow, setFollow] = useState(true);
  const [previous, setPrevious] = useState(false);
  const [timestamps, setTimestamps] = useState(false);
  const [tail, setTail] = useState('500');
  const [state, setState] = useState<StreamState>({ kind: 'idle' });
  const [attempt, setAttempt] = useState(0);
  const pre = useRef<HTMLPreElement>(null);
  /** Consecutive streams the network lost (not the server's answer): each is retried after a longer wait. */
  const lost = useRef(0);

  // The first regular container by default (kubectl's choice), else the first of any kind.
  const container = chosen ?? (containers.find((c) => c.kind === 'app') ?? containers[0])?.name;
  const current = containers.find((c) => c.name === container);
  // A stream that failed or ended is tried again when its container starts again (a new instance).
  const instance = current?.status ? `${current.status.restartCount ?? 0}:${current.status.state?.running ? 'running' : current.status.state?.terminated ? 'terminated' : 'waiting'}` : '';
  const stateRef = useRef(state);
  stateRef.current = state;
  useEffect(() => {
    const k = stateRef.current.kind;
    if (k === 'error' || (k === 'ended' && follow)) setAttempt((a) => a + 1);
  }, [instance]);

  useEffect(() => {
    const out = pre.current;
    if (!container || !out) return;
    const ctl = new AbortController();
    let text = '';
    let pending = false;
    let frame = 0;
    let retry: ReturnType<typeof setTimeout> | undefined;
    out.textContent = '';
    const flush = () => {
      frame = 0;
      if (!pending) return;
      pending = false;
      const atBottom = out.scrollTop + out.clientHeight >= out.scrollHeight - 8;
      out.textContent = text;
      if (atBottom) out.scrollTop = out.scrollHeight;
    };
    const q = new URLSearchParams({ container });
    if (follow) q.set('follow', 'true');
    if (previous) q.set('previous', 'true');
    if (timestamps) q.set('timestamps', 'true');
    const n = Number.parseInt(tail, 10);
    if (Number.isFinite(n) && n >= 0) q.set('tailLines', String(n));
    setState({ kind: follow ? 'following' : 'reading' });
    streamText(
      `${podPath(namespace, name)}/log?${q}`,
      (chunk) => {
        lost.current = 0;
        text = capText(text + chunk);
        pending = true;
        if (!frame) frame = requestAnimationFrame(flush);
      },
      ctl.signal,
      'text/plain',
    ).then(
      () => {
        if (ctl.signal.aborted) return;
        flush();
        setState({ kind: 'ended' });
      },
      (err: Error) => {
        if (ctl.signal.aborted || err.name === 'AbortError') return;
        flush();
        if (!(err instanceof ApiError) || err.code === 0) {
          // No answer, or the stream cut (a browser on the node sees its network change whenever a pod's
          // veth comes or goes): read again (the last lines anew) after a wait that grows, at most 5 times in a row.
          if (lost.current < 5) {
            const wait = 500 * 2 ** lost.current++;
            setState({ kind: 'error', message: `the log stream was cut (${err.message}); reading it again in ${wait / 1000} s` });
            retry = setTimeout(() => setAttempt((a) => a + 1), wait);
            return;
          }
        }
        setState({ kind: 'error', message: err.message });
      },
    );
    return () => {
      ctl.abort();
      clearTimeout(retry);
      if (frame) cancelAnimationFrame(frame);
    };
  }, [namespace, name, container, follow, previous, timestamps, tail, attempt]);

  if (!containers.length) return <p class="note">The pod has no containers.</p>;
  return (
    <div class="logs-tab">
      <div class="controls">
        <label>
          Container{' '}
          <select data-testid="log-container" value={container} onChange={(e) => setChosen((e.currentTarget as HTMLSelectElement).value)}>
            {GROUPS.map((g) => {
              const members = containers.filter((c) => g.kinds.includes(c.kind));
              return members.length ? (
                <optgroup key={g.label} label={g.label}>
                  {members.map((c) => (
                    <option key={c.name} value={c.name}>
                      {c.name}
                      {c.kind === 'sidecar' ? ' (sidecar)' : ''}
                    </option>
                  ))}
                </optgroup>
              ) : null;
            })}
          </select>
        </label>
        <label>
          <input type="checkbox" data-testid="log-follow" checked={follow} onChange={(e) => setFollow((e.currentTarget as HTMLInputElement).checked)} /> Follow
        </label>
        <label>
          <input type="checkbox" data-testid="log-previous" checked={previous} onChange={(e) => setPrevious((e.currentTarget as HTMLInputElement).checked)} /> Previous instance
        </label>
        <label>
          <input type="checkbox" data-testid="log-timestamps" checked={timestamps} onChange={(e) => setTimestamps((e.currentTarget as HTMLInputElement).checked)} /> Timestamps
        </label>
        <label>
          Last lines{' '}
          <input
            type="number"
            min="0"
            step="1"
            class="tail"
            data-testid="log-tail"
            value={tail}
            onChange={(e) => setTail((e.currentTarget as HTMLInputElement).value.trim())}
          />
        </label>
      </div>
      <p class="stream-state" role="status" data-testid="log-state">
        {state.kind === 'following' && 'Following the log…'}
        {state.kind === 'reading' && 'Reading the log…'}
        {state.kind === 'ended' && (follow ? 'The log stream ended: the container is not running. It is read again if the container starts again.' : 'End of the log.')}
      </p>
      {state.kind === 'error' && (
        <p class="error" role="alert">
          {state.message}
        </p>
      )}
      <pre data-testid="logs" class="logs" ref={pre} tabIndex={0} aria-label={`Log of ${container ?? ''}`} />
    </div>
  );
}
