// A TCP connect check (tcpSocket probes): success once the connection is established within the
// timeout, then closed at once with a reset, as the kubelet's probe dialer does (SO_LINGER): a probe
// every second must not leave a TIME_WAIT socket behind each time, and the reset spares the FIN
// exchange. Messages as Go's dialer words them.

import net from 'node:net';

export type TcpOutcome = { ok: true } | { ok: false; error: string };

export function tcpConnect(host: string, port: number, timeoutMs: number, signal?: AbortSignal): Promise<TcpOutcome> {
  const addr = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return new Promise((resolve) => {
    let done = false;
    const sock = net.connect({ host, port });
    const finish = (v: TcpOutcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (sock.readyState === 'open') sock.resetAndDestroy();
      else sock.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => finish({ ok: false, error: `dial tcp ${addr}: i/o timeout` }), Math.max(1, timeoutMs));
    const onAbort = () => finish({ ok: false, error: `dial tcp ${addr}: operation was canceled` });
    signal?.addEventListener('abort', onAbort, { once: true });
    sock.once('connect', () => finish({ ok: true }));
    sock.once('error', (err: NodeJS.ErrnoException) => {
      const why =
        err.code === 'ECONNREFUSED' ? 'connection refused'
        : err.code === 'EHOSTUNREACH' ? 'no route to host'
        : err.code === 'ENETUNREACH' ? 'network is unreachable'
        : err.message;
      finish({ ok: false, error: `dial tcp ${addr}: connect: ${why}` });
    });
  });
}
