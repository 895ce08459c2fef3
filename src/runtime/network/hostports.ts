// Host port reservations: a listening socket held on hostIP:hostPort for the life of an attachment.
// portmap binds nothing; its DNAT (PREROUTING and OUTPUT) would silently steal the port from a host
// process that binds it later, and a port already bound on the host would be shadowed. Holding the
// socket makes both cases a clear error instead (the kubelet's old hostport manager did the same).
//
// Node net servers are used directly here (the Exec seam cannot hold a socket); this is the only
// file in network/ that opens sockets. The sockets never see traffic while the DNAT is installed.

import dgram from 'node:dgram';
import net from 'node:net';

import { ConflictError, InternalError } from '../../errors.js';
import type { Logger } from '../../system/logger.js';
import type { PortMapping } from '../runtime.js';

interface Held {
  close(): Promise<void>;
}

/** `host port 8080/TCP` or `host port 127.0.0.1:8080/TCP`. */
export function describeHostPort(m: PortMapping): string {
  return `host port ${m.hostIP ? `${m.hostIP}:` : ''}${m.hostPort}/${m.protocol}`;
}

export class HostPortReservations {
  private readonly held = new Map<string, Held[]>();
  private readonly logger: Logger;

  constructor(opts: { logger: Logger }) {
    this.logger = opts.logger;
  }

  has(owner: string): boolean {
    return this.held.has(owner);
  }

  owners(): string[] {
    return [...this.held.keys()];
  }

  /**
   * Reserves every mapping with a hostPort for `owner` (all or nothing). A port already in use is a
   * ConflictError naming it. Reserving again for an owner that holds ports is a no-op.
   */
  async reserve(owner: string, mappings: PortMapping[]): Promise<void> {
    if (this.held.has(owner)) return;
    const got: Held[] = [];
    try {
      for (const m of mappings) {
        if (!m.hostPort) continue;
        if (m.protocol === 'SCTP') {
          // Node cannot open SCTP sockets; the mapping still works, it is just not guarded.
          this.logger.warn({ owner, port: m.hostPort }, 'sctp host port not reserved');
          continue;
        }
        got.push(m.protocol === 'UDP' ? await bindUdp(m) : await listenTcp(m));
      }
    } catch (err) {
      await Promise.all(got.map((h) => h.close()));
      throw err;
    }
    this.held.set(owner, got);
  }

  /** Closes the owner's sockets; a no-op when it holds none. */
  async release(owner: string): Promise<void> {
    const got = this.held.get(owner);
    this.held.delete(owner);
    await Promise.all((got ?? []).map((h) => h.close()));
  }

  async releaseAll(): Promise<void> {
    await Promise.all([...this.held.keys()].map((o) => this.release(o)));
  }
}

function failure(m: PortMapping, err: NodeJS.ErrnoException): Error {
  if (err.code === 'EADDRINUSE') {
    return new ConflictError(`${describeHostPort(m)} is already in use`);
  }
  if (err.code === 'EADDRNOTAVAIL') {
    return new ConflictError(`${describeHostPort(m)}: ${m.hostIP} is not an address of this node`);
  }
  return new InternalError(`reserve ${describeHostPort(m)}: ${err.message}`, { cause: err });
}

function listenTcp(m: PortMapping): Promise<Held> {
  return new Promise((resolve, reject) => {
    // Anything that does reach the socket (e.g. IPv6, which portmap does not map) is dropped.
    const server = net.createServer((sock) => sock.destroy());
    server.once('error', (err) => reject(failure(m, err)));
    server.listen({ host: m.hostIP || '0.0.0.0', port: m.hostPort, exclusive: true }, () => {
      server.unref();
      resolve({ close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}

function bindUdp(m: PortMapping): Promise<Held> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket({ type: net.isIPv6(m.hostIP ?? '') ? 'udp6' : 'udp4', reuseAddr: false });
    sock.once('error', (err) => reject(failure(m, err)));
    sock.on('message', () => {});
    sock.bind({ address: m.hostIP || '0.0.0.0', port: m.hostPort, exclusive: true }, () => {
      sock.unref();
      resolve({ close: () => new Promise((r) => sock.close(() => r())) });
    });
  });
}
