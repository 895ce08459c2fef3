// The spawn helper: a small, long-lived child of `peapod serve` that starts every program the daemon
// runs (runc, conmon, CNI plugins, iptables, mount, tar).
//
// Why a process: spawn() forks the calling process and then blocks its event loop until the child has
// exec'd. From the daemon (hundreds of MB, the API and every pod worker on one thread) each spawn stalled
// everything for milliseconds, and far longer when the cores are busy with runc. This process holds only
// Node's baseline and node: built-ins, so its forks are cheap, and they stall its own loop, not the API's.
//
// It lives exactly as long as the daemon's IPC channel: when the daemon goes (a stop, a crash, a
// SIGKILL), the channel closes and this exits. The programs it started keep running to their own end
// (conmon outlives both by design).

import { HostExec, type LaunchedMonitor, type LaunchedSession } from '../exec.js';
import type { SpawnReply, SpawnRequest } from './protocol.js';

const host = new HostExec();
const runs = new Map<number, AbortController>();
const monitors = new Map<number, LaunchedMonitor>();
const sessions = new Map<number, LaunchedSession>();

function reply(msg: SpawnReply): void {
  // A send after the channel closed has no one to tell: the daemon is gone. One that fails while it
  // closes (EPIPE: the daemon was killed) goes to the callback, not to an unhandled 'error' event that
  // would end this process with a stack trace; the disconnect then ends it quietly.
  if (process.connected) process.send!(msg, undefined, undefined, () => undefined);
}

function failure(id: number, err: unknown): SpawnReply {
  const e = err as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = e?.code ?? e?.cause?.code; // HostExec wraps spawn's error, its errno code in the cause
  return { id, ok: false, message: e?.message ?? String(err), ...(typeof code === 'string' ? { code } : {}) };
}

function handle(req: SpawnRequest): void {
  switch (req.t) {
    case 'run': {
      const ac = new AbortController();
      runs.set(req.id, ac);
      const input = req.input instanceof Uint8Array ? Buffer.from(req.input.buffer, req.input.byteOffset, req.input.byteLength) : req.input;
      host
        .run(req.file, req.args, { input, env: req.env, cwd: req.cwd, timeoutMs: req.timeoutMs, signal: ac.signal, truncateOutput: req.truncateOutput === true })
        .then((run) => reply({ id: req.id, ok: true, run }), (err: unknown) => reply(failure(req.id, err)))
        .finally(() => runs.delete(req.id));
      return;
    }
    case 'monitor': {
      const m = host.launchMonitor(req.launch);
      monitors.set(req.id, m);
      m.done
        .then((monitor) => reply({ id: req.id, ok: true, monitor }), (err: unknown) => reply(failure(req.id, err)))
        .finally(() => monitors.delete(req.id));
      return;
    }
    case 'session': {
      const s = host.launchSession(req.launch);
      sessions.set(req.id, s);
      s.ready.then(() => reply({ id: req.id, ok: true, line: '' }), (err: unknown) => reply(failure(req.id, err)));
      void s.exited.finally(() => sessions.delete(req.id)).catch(() => undefined);
      return;
    }
    case 'session-start':
    case 'session-exit': {
      const s = sessions.get(req.session);
      if (!s) {
        reply({ id: req.id, ok: false, message: `no exec session ${req.session}` });
        return;
      }
      (req.t === 'session-start' ? s.start() : s.exited).then(
        (line) => reply({ id: req.id, ok: true, line }),
        (err: unknown) => reply(failure(req.id, err)),
      );
      return;
    }
    case 'cancel':
      runs.get(req.id)?.abort();
      monitors.get(req.id)?.kill();
      sessions.get(req.id)?.release();
      return;
  }
}

process.on('message', (msg) => handle(msg as SpawnRequest));
process.on('disconnect', () => process.exit(0));
// Signals meant for the daemon's terminal (a Ctrl-C reaches the whole foreground group) are the
// daemon's to act on: it closes the channel when it is done with us.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => {});
