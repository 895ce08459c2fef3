// The terminal tab: a command run in one of the pod's running containers with a TTY (exec over a WebSocket,
// the v5/v4 channel protocols: byte 0 of every message is the channel), shown in xterm.js. Keys go out on
// stdin (0), the terminal's size on resize (4); stdout/stderr (1/2) are written to the terminal and the
// status (3) says how the command ended. Leaving the tab or the page closes the socket.
import { useEffect, useRef, useState } from 'preact/hooks';
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { openExec } from '../api.js';
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
    const onResize = t.onResize(() => sendResize());
    return () => {
      ro.disconnect();
      onData.dispose();
      onResize.dispose();
      socket.current?.close();
      socket.current = undefined;
      t.dispose();
      term.current = undefined;
    };
  }, []);

  const connect = () => {
    const t = term.current;
    const argv = command.split(/\s+/).filter(Boolean);
    if (!t || !container || !argv.length) return;
    socket.current?.close();
    t.reset();
    const ws = openExec(namespace, name, container, argv, true);
    socket.current = ws;
    let ended = false;
    let opened = false;
    setStatus(`connecting to ${container}…`);
    setOpen(true);
    ws.onopen = () => {
      if (socket.current !== ws) return;
      opened = true;
      setStatus(`connected to ${container} (${argv.join(' ')})`);
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
      if (!opened) setStatus(`could not connect (WebSocket closed with code ${ev.code}${ev.reason ? `: ${ev.reason}` : ''})`);
      else setStatus(`closed (code ${ev.code}${ev.reason ? `: ${ev.reason}` : ''})`);
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
