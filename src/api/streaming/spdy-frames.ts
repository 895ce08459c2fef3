// SPDY/3.1 frames (draft 3.1 §2.2), as kubectl's client (Go's spdystream) writes and reads them: a pure
// incremental parser and the serializers. Header blocks stay compressed here; spdy-headers.ts inflates
// and deflates them, since their zlib context spans the whole connection.
//
//   control: 1|version(15)=3 | type(16) | flags(8) | length(24) | payload
//   data:    0|stream id(31)            | flags(8) | length(24) | payload

export const SPDY_VERSION = 3;
export const FLAG_FIN = 0x01;

export const FrameType = {
  SynStream: 1,
  SynReply: 2,
  RstStream: 3,
  Settings: 4,
  Ping: 6,
  GoAway: 7,
  Headers: 8,
  WindowUpdate: 9,
} as const;

/** RST_STREAM status codes (§2.6.3). */
export const RstStatus = { ProtocolError: 1, InvalidStream: 2, RefusedStream: 3, Cancel: 5, InternalError: 6 } as const;

export type SpdyFrame =
  | { kind: 'data'; streamId: number; fin: boolean; data: Buffer }
  | { kind: 'syn_stream'; streamId: number; associatedId: number; priority: number; fin: boolean; unidirectional: boolean; headerBlock: Buffer }
  | { kind: 'syn_reply'; streamId: number; fin: boolean; headerBlock: Buffer }
  | { kind: 'headers'; streamId: number; fin: boolean; headerBlock: Buffer }
  | { kind: 'rst_stream'; streamId: number; status: number }
  | { kind: 'ping'; id: number }
  | { kind: 'goaway'; lastGoodStreamId: number; status: number }
  /** SETTINGS, WINDOW_UPDATE and unknown types: read and dropped (kubectl's peer keeps no flow control). */
  | { kind: 'ignored'; type: number };

export class SpdyProtocolError extends Error {}

/** Splits a byte stream into frames; frames may arrive split anywhere (a WebSocket tunnel splits them freely). */
export class FrameParser {
  private buf: Buffer = Buffer.alloc(0);

  /** Appends bytes and returns the frames now complete. Throws SpdyProtocolError on a malformed frame. */
  push(chunk: Buffer): SpdyFrame[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: SpdyFrame[] = [];
    while (this.buf.length >= 8) {
      const length = this.buf.readUIntBE(5, 3);
      if (this.buf.length < 8 + length) break;
      const head = this.buf.subarray(0, 8);
      const payload = this.buf.subarray(8, 8 + length);
      this.buf = this.buf.subarray(8 + length);
      out.push(decodeFrame(head, payload));
    }
    return out;
  }

  /** Bytes held for a frame not yet complete. */
  get pending(): number {
    return this.buf.length;
  }
}

function decodeFrame(head: Buffer, payload: Buffer): SpdyFrame {
  const flags = head[4];
  if ((head[0] & 0x80) === 0) {
    const streamId = head.readUInt32BE(0) & 0x7fffffff;
    // Copied: the parser's buffer is reused for the next frames.
    return { kind: 'data', streamId, fin: (flags & FLAG_FIN) !== 0, data: Buffer.from(payload) };
  }
  const version = head.readUInt16BE(0) & 0x7fff;
  if (version !== SPDY_VERSION) throw new SpdyProtocolError(`unsupported SPDY version ${version}`);
  const type = head.readUInt16BE(2);
  const need = (n: number) => {
    if (payload.length < n) throw new SpdyProtocolError(`SPDY control frame ${type} too short (${payload.length} bytes)`);
  };
  const fin = (flags & FLAG_FIN) !== 0;
  switch (type) {
    case FrameType.SynStream:
      need(10);
      return {
        kind: 'syn_stream',
        streamId: payload.readUInt32BE(0) & 0x7fffffff,
        associatedId: payload.readUInt32BE(4) & 0x7fffffff,
        priority: payload[8] >> 5,
        fin,
        unidirectional: (flags & 0x02) !== 0,
        headerBlock: Buffer.from(payload.subarray(10)),
      };
    case FrameType.SynReply:
      need(4);
      return { kind: 'syn_reply', streamId: payload.readUInt32BE(0) & 0x7fffffff, fin, headerBlock: Buffer.from(payload.subarray(4)) };
    case FrameType.Headers:
      need(4);
      return { kind: 'headers', streamId: payload.readUInt32BE(0) & 0x7fffffff, fin, headerBlock: Buffer.from(payload.subarray(4)) };
    case FrameType.RstStream:
      need(8);
      return { kind: 'rst_stream', streamId: payload.readUInt32BE(0) & 0x7fffffff, status: payload.readUInt32BE(4) };
    case FrameType.Ping:
      need(4);
      return { kind: 'ping', id: payload.readUInt32BE(0) };
    case FrameType.GoAway:
      need(8);
      return { kind: 'goaway', lastGoodStreamId: payload.readUInt32BE(0) & 0x7fffffff, status: payload.readUInt32BE(4) };
    default:
      return { kind: 'ignored', type };
  }
}

function controlFrame(type: number, flags: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  head.writeUInt16BE(type, 2);
  head[4] = flags;
  head.writeUIntBE(payload.length, 5, 3);
  return Buffer.concat([head, payload]);
}

/** The largest payload of one frame (a 24-bit length). */
export const MAX_FRAME_PAYLOAD = 0xffffff;

/** A DATA frame; callers split payloads larger than MAX_FRAME_PAYLOAD. */
export function dataFrame(streamId: number, data: Buffer, fin = false): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(streamId & 0x7fffffff, 0);
  head[4] = fin ? FLAG_FIN : 0;
  head.writeUIntBE(data.length, 5, 3);
  return data.length ? Buffer.concat([head, data]) : head;
}

/** SYN_REPLY with an already-compressed header block. */
export function synReplyFrame(streamId: number, headerBlock: Buffer, fin = false): Buffer {
  const id = Buffer.alloc(4);
  id.writeUInt32BE(streamId & 0x7fffffff);
  return controlFrame(FrameType.SynReply, fin ? FLAG_FIN : 0, Buffer.concat([id, headerBlock]));
}

export function rstStreamFrame(streamId: number, status: number): Buffer {
  const p = Buffer.alloc(8);
  p.writeUInt32BE(streamId & 0x7fffffff, 0);
  p.writeUInt32BE(status, 4);
  return controlFrame(FrameType.RstStream, 0, p);
}

export function pingFrame(id: number): Buffer {
  const p = Buffer.alloc(4);
  p.writeUInt32BE(id >>> 0);
  return controlFrame(FrameType.Ping, 0, p);
}

export function goAwayFrame(lastGoodStreamId: number, status = 0): Buffer {
  const p = Buffer.alloc(8);
  p.writeUInt32BE(lastGoodStreamId & 0x7fffffff, 0);
  p.writeUInt32BE(status, 4);
  return controlFrame(FrameType.GoAway, 0, p);
}

/** The uncompressed header block (§2.6.10): u32 count, then u32-length name and value pairs; values of one name joined by NUL. */
export function encodeHeaderBlock(headers: Record<string, string | string[]>): Buffer {
  const parts: Buffer[] = [];
  const entries = Object.entries(headers);
  const count = Buffer.alloc(4);
  count.writeUInt32BE(entries.length);
  parts.push(count);
  for (const [name, value] of entries) {
    const n = Buffer.from(name.toLowerCase(), 'utf8');
    const v = Buffer.from(Array.isArray(value) ? value.join('\0') : value, 'utf8');
    const nl = Buffer.alloc(4);
    nl.writeUInt32BE(n.length);
    const vl = Buffer.alloc(4);
    vl.writeUInt32BE(v.length);
    parts.push(nl, n, vl, v);
  }
  return Buffer.concat(parts);
}

/** Parses an uncompressed header block into lowercase names and their values. */
export function decodeHeaderBlock(block: Buffer): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  let pos = 0;
  const u32 = () => {
    if (pos + 4 > block.length) throw new SpdyProtocolError('truncated SPDY header block');
    const v = block.readUInt32BE(pos);
    pos += 4;
    return v;
  };
  const bytes = (n: number) => {
    if (pos + n > block.length) throw new SpdyProtocolError('truncated SPDY header block');
    const b = block.subarray(pos, pos + n);
    pos += n;
    return b.toString('utf8');
  };
  const count = u32();
  for (let i = 0; i < count; i++) {
    const name = bytes(u32()).toLowerCase();
    const value = bytes(u32());
    out[name] = [...(out[name] ?? []), ...value.split('\0')];
  }
  return out;
}
