// The terminal tab: a command run in one of the pod's running containers with a TTY (exec over a WebSocket,
// the v5/v4 channel protocols: byte 0 of every message is the channel), shown in xterm.js. Keys go out on
// stdin (0), the terminal's size on resize (4); stdout/stderr (1/2) are written to the terminal and the
// status (3) says how the command ended. Leaving the tab or the page closes the socket.
import { useEffect, useRef, useState } from 'preact/hooks';
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { openExec, request } from '../api.js';
import { containersOf, type Pod } from './pod-model.js';

const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const STATUS = 3;
const RESIZE = 4;

const encoder = new TextEncoder();

function frame(channel: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(payload.length + 1);
  out[0] = channel;
  out.set(payload, 1);
  return out;
}

interface ExecStatus {
  status?: string;
  message?: string;
  reason?: string;
  details?: { causes?: { reason?: string; message?: string }[] };
}

/** How the command ended, from the status channel's Status: "exited 0", "exited 2", or the failure said. */
export function endOf(s: ExecStatus): string {
  if (s.status === 'Success') return 'exited 0';
  const code = s.details?.causes?.find((c) => c.reason === 'ExitCode')?.message;
  if (code !== undefined) return `exited ${code}`;
  return `failed: ${s.message ?? s.reason ?? 'unknown error'}`;
}

/**
 * Splits a command line into its words as a POSIX shell would, without expanding anything: blanks separate
 * words; '…' keeps everything literally; "…" keeps everything but a backslash before $ ` " \\ or a newline;
 * outside quotes a backslash keeps the next character (a backslash-newline is dropped); '' or "" is an empty
 * word. An unterminated quote or a trailing backslash is an error (thrown, naming it).
 */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === ' ' || c === '\t' || c === '\n') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error('unterminated single quote');
      word += line.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      inWord = true;
      i++;
      for (;;) {
        if (i >= line.length) throw new Error('unterminated double quote');
        const d = line[i]!;
        if (d === '"') {
          i++;
          break;
        }
        if (d === '\\' && i + 1 < line.length && '$`"\\\n'.includes(line[i + 1]!)) {
          if (line[i + 1] !== '\n') word += line[i + 1];
          i += 2;
        } else {
          word += d;
          i++;
        }
      }
    } else if (c === '\\') {
      if (i + 1 >= line.length) throw new Error('a backslash at the end escapes nothing');
      if (line[i + 1] !== '\n') {
        word += line[i + 1];
        inWord = true;
      }
      i += 2;
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** xterm's binary data (a string of chars 0–255, e.g. a mouse report in X10 mode) as the bytes it stands for. */
export function binaryBytes(data: string): Uint8Array {
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data.charCodeAt(i) & 0xff;
  return out;
}

/**
 * Why an exec socket closed before it ever opened: asks the API whether this user may create pods/exec on
 * the pod (a SelfSubjectAccessReview); if not, says so; else names the likely causes.
 */
async function whyRefused(namespace: string, name: string, code: number): Promise<string> {
  const generic = `could not connect (WebSocket closed with code ${code}): the container may not be running any more, or the daemon may be gone`;
  try {
    const res = await request('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
      body: JSON.stringify({
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        spec: { resourceAttributes: { namespace, verb: 'create', resource: 'pods', subresource: 'exec', name } },
      }),
    });
    const review = (await res.json()) as { status?: { allowed?: boolean; denied?: boolean; reason?: string } };
    if (review.status?.allowed !== true) return 'could not connect: you may not exec into this pod (RBAC: create pods/exec)';
    return generic;
  } catch {
    return generic;
  }
}

export function TerminalTab({ namespace, name, pod }: { namespace: string; name: string; pod: Pod | undefined }) {
  const phase = pod?.status?.phase;
  if (phase !== 'Running') {
    return (
      <p class="note" role="status" data-testid="terminal-unavailable">
        A terminal opens in a running pod; this one is {phase ? phase : 'not there'}.
      </p>
    );
  }
  return <TerminalSession namespace={namespace} name={name} pod={pod!} />;
}

function TerminalSession({ namespace, name, pod }: { namespace: string; name: string; pod: Pod }) {
  const running = containersOf(pod).filter((c) => c.status?.state?.running);
  const [chosen, setChosen] = useState<string>();
  const [command, setCommand] = useState('sh');
  const [status, setStatus] = useState('idle: not started');
  const [open, setOpen] = useState(false);
  const host = useRef<HTMLDivElement>(null);
  const term = useRef<Terminal>();
  const fit = useRef<FitAddon>();
  const socket = useRef<WebSocket>();
  // The last socket opened (socket is cleared when it closes): a late answer about an older one is dropped.
  const latest = useRef<WebSocket>();

  const container = chosen && running.some((c) => c.name === chosen) ? chosen : running.find((c) => c.kind === 'app')?.name ?? running[0]?.name;

  const sendResize = () => {
    const ws = socket.current;
    const t = term.current;
    if (!ws || !t || ws.readyState !== WebSocket.OPEN) return;
    ws.send(frame(RESIZE, encoder.encode(JSON.stringify({ Width: t.cols, Height: t.rows }))));
  };

  useEffect(() => {
    const el = host.current!;
    const t = new Terminal({ cursorBlink: true, fontFamily: 'ui-monospace, monospace', fontSize: 14, scrollback: 5000, theme: { background: '#1a1a1a', foreground: '#f0f0f0' } });
    const f = new FitAddon();
    t.loadAddon(f);
    t.open(el);
    term.current = t;
    fit.current = f;
    const refit = () => {
      try {
        f.fit();
      } catch {
        // Not laid out yet (no size): the next resize fits it.
      }
    };
    refit();
    const ro = new ResizeObserver(refit);
    ro.observe(el);
    const onData = t.onData((d) => {
      const ws = socket.current;
      if (ws && ws.readyState === WebSocket.OPEN) ws.send(frame(STDIN, encoder.encode(d)));
    });
    const onBinary = t.onBinary((d) => {
      const ws = socket.current;
      if (ws && ws.readyState === WebSocket.OPEN) ws.send(frame(STDIN, binaryBytes(d)));
    });
    const onResize = t.onResize(() => sendResize());
    return () => {
      ro.disconnect();
      onData.dispose();
      onBinary.dispose();
      onResize.dispose();
      socket.current?.close();
      socket.current = undefined;
      t.dispose();
      term.current = undefined;
    };
  }, []);

  const connect = () => {
    const t = term.current;
    let argv: string[];
    try {
      argv = shellWords(command);
    } catch (err) {
      setStatus(`the command cannot be read: ${(err as Error).message}`);
      return;
    }
    if (!t || !container || !argv.length) return;
    socket.current?.close();
    t.reset();
    const ws = openExec(namespace, name, container, argv, true);
    socket.current = ws;
    latest.current = ws;
    let ended = false;
    let opened = false;
    setStatus(`connecting to ${container}…`);
    setOpen(true);
    ws.onopen = () => {
      if (socket.current !== ws) return;
      opened = true;
      setStatus(`connected to ${container} (${command.trim()})`);
      try {
        fit.current?.fit();
      } catch {
        // keeps the last size
      }
      sendResize();
      t.focus();
    };
    ws.onmessage = (ev: MessageEvent) => {
      if (socket.current !== ws || !(ev.data instanceof ArrayBuffer)) return;
      const bytes = new Uint8Array(ev.data);
      if (!bytes.length) return;
      const ch = bytes[0];
      if (ch === STDOUT || ch === STDERR) t.write(bytes.subarray(1));
      else if (ch === STATUS) {
        ended = true;
        let s: ExecStatus = {};
        try {
          s = JSON.parse(new TextDecoder().decode(bytes.subarray(1))) as ExecStatus;
        } catch {
          s = { message: new TextDecoder().decode(bytes.subarray(1)) };
        }
        setStatus(endOf(s));
      }
    };
    ws.onclose = (ev: CloseEvent) => {
      if (socket.current !== ws) return;
      socket.current = undefined;
      setOpen(false);
      if (ended) return;
      if (!opened) {
        setStatus(`could not connect (WebSocket closed with code ${ev.code}${ev.reason ? `: ${ev.reason}` : ''}); asking why…`);
        void whyRefused(namespace, name, ev.code).then((why) => {
          // Only if no other connection was started meanwhile.
          if (socket.current === undefined && latest.current === ws) setStatus(why);
        });
      } else setStatus(`closed (code ${ev.code}${ev.reason ? `: ${ev.reason}` : ''})`);
    };
  };

  const hangUp = () => {
    const ws = socket.current;
    socket.current = undefined;
    ws?.close();
    setOpen(false);
    setStatus('closed by you');
  };

  return (
    <div class="terminal-tab">
      <form
        class="controls"
        onSubmit={(e) => {
          e.preventDefault();
          connect();
        }}
      >
        <label>
          Container{' '}
          <select data-testid="terminal-container" value={container} onChange={(e) => setChosen((e.currentTarget as HTMLSelectElement).value)} disabled={!running.length}>
            {running.map((c) => (
              <option key={c.name} value={c.name}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Command{' '}
          <input type="text" data-testid="terminal-command" value={command} spellcheck={false} autocomplete="off" onInput={(e) => setCommand((e.currentTarget as HTMLInputElement).value)} />
        </label>
        <button type="submit" data-testid="terminal-connect" disabled={!container || !command.trim()}>
          Connect
        </button>
        <button type="button" data-testid="terminal-disconnect" onClick={hangUp} disabled={!open}>
          Disconnect
        </button>
      </form>
      {!running.length && <p class="note">No container of the pod is running.</p>}
      <p class="terminal-status" role="status" data-testid="terminal-status">
        {status}
      </p>
      <div class="terminal" data-testid="terminal" ref={host} role="group" aria-label="Terminal" />
    </div>
  );
}
