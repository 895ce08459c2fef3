// The server side of one SPDY/3.1 connection, over any byte transport (an upgraded socket, or a
// WebSocket tunnel whose binary messages carry the SPDY bytes). Each stream the client opens is
// answered with SYN_REPLY and handed out as a Duplex: its readable side is the client's DATA (ended by
// FIN), its writable side becomes our DATA frames (FIN at end()). PINGs are echoed; RST_STREAM and
// GOAWAY tear down. Frames go out in the order they are made, SYN_REPLY's compression included.

import { EventEmitter } from 'node:events';
import { Duplex } from 'node:stream';
import { HeaderCodec } from './spdy-headers.js';
import {
  dataFrame,
  FrameParser,
  goAwayFrame,
  MAX_FRAME_PAYLOAD,
  pingFrame,
  rstStreamFrame,
  RstStatus,
  synReplyFrame,
  type SpdyFrame,
} from './spdy-frames.js';

/** The bytes under the connection. write() returns false when the caller should wait for 'drain'. */
export interface ByteTransport {
  write(data: Buffer): boolean;
  onData(listener: (data: Buffer) => void): void;
  onDrain(listener: () => void): void;
  onClose(listener: () => void): void;
  close(): void;
}

export class SpdyStream extends Duplex {
  /** FIN received: the client will send nothing more. */
  remoteEnded = false;
  private finSent = false;

  constructor(
    readonly id: number,
    readonly headers: Record<string, string[]>,
    private readonly conn: SpdyConnection,
  ) {
    super({ allowHalfOpen: true });
  }

  /** The first value of a header (names are lowercase). */
  header(name: string): string | undefined {
    return this.headers[name]?.[0];
  }

  override _read(): void {
    /* the client sends as it likes: SPDY/3.1 flow control is not used by kubectl's peer */
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.conn.sendData(this.id, chunk, false, cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.sendFin();
    cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.conn.forget(this.id);
    cb(err);
  }

  /** Half-closes our side (an empty DATA frame with FIN), once. */
  sendFin(): void {
    if (this.finSent) return;
    this.finSent = true;
    this.conn.sendData(this.id, Buffer.alloc(0), true, () => {});
  }

  /** Data from the client. */
  deliver(data: Buffer, fin: boolean): void {
    if (data.length) this.push(data);
    if (fin && !this.remoteEnded) {
      this.remoteEnded = true;
      this.push(null);
    }
  }
}

export class SpdyConnection extends EventEmitter {
  private readonly parser = new FrameParser();
  private readonly codec = new HeaderCodec();
  private readonly streams = new Map<number, SpdyStream>();
  /** Outgoing frames in order; a pending SYN_REPLY (compressing) holds back what follows it. */
  private readonly queue: (Buffer | Promise<Buffer>)[] = [];
  private readonly drainWaiters: (() => void)[] = [];
  private flushing = false;
  private blocked = false;
  private closed = false;
  private closing = false;
  private lastStreamId = 0;

  constructor(private readonly transport: ByteTransport) {
    super();
    transport.onData((b) => this.onBytes(b));
    transport.onDrain(() => {
      this.blocked = false;
      for (const w of this.drainWaiters.splice(0)) w();
    });
    transport.onClose(() => this.teardown());
  }

  /** Stops: every stream is destroyed, the transport closed. */
  close(): void {
    if (this.closing) return;
    this.enqueue(goAwayFrame(this.lastStreamId));
    this.teardown();
  }

  forget(id: number): void {
    this.streams.delete(id);
  }

  /** Queues a DATA frame (split when too long); cb once the transport took it (or waits for drain). */
  sendData(id: number, data: Buffer, fin: boolean, cb: () => void): void {
    if (this.closed) return cb();
    for (let i = 0; i < data.length || (i === 0 && data.length === 0); i += MAX_FRAME_PAYLOAD) {
      const part = data.subarray(i, i + MAX_FRAME_PAYLOAD);
      const last = i + MAX_FRAME_PAYLOAD >= data.length;
      this.enqueue(dataFrame(id, part, fin && last));
      if (data.length === 0) break;
    }
    if (this.blocked) this.drainWaiters.push(cb);
    else cb();
  }

  /** Resets a stream (RST_STREAM) and forgets it. */
  reset(id: number, status: number = RstStatus.Cancel): void {
    this.enqueue(rstStreamFrame(id, status));
    const s = this.streams.get(id);
    this.streams.delete(id);
    s?.destroy();
  }

  private enqueue(frame: Buffer | Promise<Buffer>): void {
    if (this.closed) return;
    this.queue.push(frame);
    void this.flush();
  }

  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.queue.length && !this.closed) {
        const head = this.queue[0];
        const frame = Buffer.isBuffer(head) ? head : await head.catch(() => undefined);
        this.queue.shift();
        if (!frame || this.closed) continue;
        let accepted = false;
        try {
          accepted = this.transport.write(frame);
        } catch {
          /* the transport is gone: teardown follows from its close */
        }
        if (!accepted) this.blocked = true;
      }
    } finally {
      this.flushing = false;
      if (this.closing && !this.queue.length) this.finalize();
    }
  }

  private onBytes(b: Buffer): void {
    if (this.closed || b.length === 0) return;
    let frames: SpdyFrame[];
    try {
      frames = this.parser.push(b);
    } catch (err) {
      this.emit('protocolError', err);
      this.close();
      return;
    }
    for (const f of frames) this.onFrame(f);
  }

  private onFrame(f: SpdyFrame): void {
    switch (f.kind) {
      case 'syn_stream': {
        this.lastStreamId = Math.max(this.lastStreamId, f.streamId);
        // The header block must be inflated in arrival order; the stream is usable once it is.
        const headers = this.codec.decode(f.headerBlock);
        const reply = this.codec.encode({});
        this.enqueue(reply.then((block) => synReplyFrame(f.streamId, block)));
        const early: { data: Buffer; fin: boolean }[] = [];
        const pending = { early };
        this.pendingStreams.set(f.streamId, pending);
        headers.then(
          (h) => {
            this.pendingStreams.delete(f.streamId);
            if (this.closed) return;
            const s = new SpdyStream(f.streamId, h, this);
            s.on('error', () => {}); // a write after the client reset the stream: nothing to tell anyone
            this.streams.set(f.streamId, s);
            this.emit('stream', s);
            if (f.fin) s.deliver(Buffer.alloc(0), true);
            for (const e of early) s.deliver(e.data, e.fin);
          },
          (err: unknown) => {
            this.emit('protocolError', err);
            this.close();
          },
        );
        return;
      }
      case 'data': {
        const pending = this.pendingStreams.get(f.streamId);
        if (pending) pending.early.push({ data: f.data, fin: f.fin });
        else this.streams.get(f.streamId)?.deliver(f.data, f.fin);
        return;
      }
      case 'rst_stream': {
        const s = this.streams.get(f.streamId);
        this.streams.delete(f.streamId);
        s?.destroy();
        return;
      }
      case 'ping':
        this.enqueue(pingFrame(f.id));
        return;
      case 'goaway':
        this.teardown();
        return;
      default:
        return;
    }
  }

  private readonly pendingStreams = new Map<number, { early: { data: Buffer; fin: boolean }[] }>();

  /** What is queued still goes out (a final status, a GOAWAY), then the transport closes. */
  private teardown(): void {
    if (this.closing) return;
    this.closing = true;
    if (!this.flushing) void this.flush();
  }

  private finalize(): void {
    if (this.closed) return;
    this.closed = true;
    this.codec.close();
    for (const s of this.streams.values()) s.destroy();
    this.streams.clear();
    for (const w of this.drainWaiters.splice(0)) w();
    this.transport.close();
    this.emit('close');
  }
}
