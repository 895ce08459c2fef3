// A client of conmon's attach socket (node-runtime.md §1.4): SOCK_SEQPACKET, which Node's net module
// cannot open, hence node-unix-socket. Each packet from conmon is one byte naming the pipe (2 stdout,
// 3 stderr) and the data; what we send goes to the process's stdin, and a half-close (SHUT_WR) closes
// that stdin unless conmon was told to leave it open.

import { SeqpacketSocket } from 'node-unix-socket';

/** conmon reads at most this much per packet (CONN_SOCK_BUF_SIZE): a larger one would be cut short. */
export const ATTACH_PACKET_MAX = 32768;

export const ATTACH_PIPE_STDOUT = 2;
export const ATTACH_PIPE_STDERR = 3;

/** The stream a packet belongs to and its data; undefined for pipes a client does not read (pure). */
export function decodeAttachPacket(packet: Buffer): { stream: 'stdout' | 'stderr'; data: Buffer } | undefined {
  if (packet.length < 1) return undefined;
  const data = packet.subarray(1);
  if (packet[0] === ATTACH_PIPE_STDOUT) return { stream: 'stdout', data };
  if (packet[0] === ATTACH_PIPE_STDERR) return { stream: 'stderr', data };
  return undefined;
}

/** Splits stdin bytes into packets conmon reads whole (pure). */
export function stdinPackets(data: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < data.length; i += ATTACH_PACKET_MAX) out.push(data.subarray(i, i + ATTACH_PACKET_MAX));
  return out;
}

export class AttachSocket {
  private readonly sock = new SeqpacketSocket();
  private writing: Promise<void> = Promise.resolve();
  private ended = false;
  private onClosed: () => void = () => {};
  /** Settles when conmon has closed its side (the process's streams are done) or we destroyed it. */
  readonly closed = new Promise<void>((resolve) => (this.onClosed = resolve));

  private constructor(onPacket: (packet: Buffer) => void) {
    this.sock.on('data', onPacket);
    this.sock.on('end', () => this.onClosed());
    this.sock.on('close', () => this.onClosed());
    this.sock.on('error', () => this.destroy());
  }

  /** Connects; rejects when nothing listens at `path` (the container or session is gone). */
  static connect(path: string, onPacket: (packet: Buffer) => void): Promise<AttachSocket> {
    const s = new AttachSocket(onPacket);
    return new Promise((resolve, reject) => {
      const fail = (err: Error) => {
        s.destroy();
        reject(err);
      };
      s.sock.once('error', fail);
      try {
        s.sock.connect(path, () => {
          s.sock.off('error', fail);
          resolve(s);
        });
      } catch (err) {
        fail(err as Error);
      }
    });
  }

  /** Sends stdin bytes in order; resolves once the kernel has them. */
  write(data: Buffer): Promise<void> {
    const p = this.writing.then(async () => {
      for (const packet of stdinPackets(data)) {
        if (this.ended) return;
        await Promise.race([new Promise<void>((resolve) => this.sock.write(packet, 0, packet.length, () => resolve())), this.closed]);
      }
    });
    this.writing = p.catch(() => undefined);
    return p;
  }

  /** Half-closes after the writes before it: the process's stdin sees EOF. */
  end(): void {
    void this.writing.then(() => {
      if (this.ended) return;
      this.ended = true;
      try {
        this.sock.end();
      } catch {
        /* closed already */
      }
    });
  }

  destroy(): void {
    this.ended = true;
    try {
      this.sock.destroy();
    } catch {
      /* closed already */
    }
    this.onClosed();
  }
}
