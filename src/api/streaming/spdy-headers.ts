// Header block compression of one SPDY/3 connection (§2.6.10.1): each direction is one zlib stream
// primed with the SPDY dictionary, every block sync-flushed, so a block can refer back to the earlier
// ones. Node's zlib streams are asynchronous: the codec keeps blocks in order by chaining the calls.

import zlib from 'node:zlib';
import { SPDY_HEADER_DICTIONARY } from './spdy-dictionary.js';
import { decodeHeaderBlock, encodeHeaderBlock, SpdyProtocolError } from './spdy-frames.js';

/** Runs one chunk through a zlib stream up to a sync flush and resolves with what it produced. */
function processChunk(stream: zlib.Inflate | zlib.Deflate, chunk: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    const onData = (b: Buffer) => out.push(b);
    const onError = (err: Error) => {
      stream.off('data', onData);
      reject(err);
    };
    stream.on('data', onData);
    stream.once('error', onError);
    stream.write(chunk);
    stream.flush(zlib.constants.Z_SYNC_FLUSH, () => {
      stream.off('data', onData);
      stream.off('error', onError);
      resolve(Buffer.concat(out));
    });
  });
}

export class HeaderCodec {
  private readonly inflater = zlib.createInflate({ dictionary: SPDY_HEADER_DICTIONARY });
  private readonly deflater = zlib.createDeflate({ dictionary: SPDY_HEADER_DICTIONARY });
  private inflating: Promise<unknown> = Promise.resolve();
  private deflating: Promise<unknown> = Promise.resolve();

  /** Decompresses a peer's header block (in the order the blocks arrived) and parses it. */
  decode(block: Buffer): Promise<Record<string, string[]>> {
    const p = this.inflating.then(async () => {
      if (block.length === 0) return {};
      let raw: Buffer;
      try {
        raw = await processChunk(this.inflater, block);
      } catch (err) {
        throw new SpdyProtocolError(`bad SPDY header block: ${(err as Error).message}`);
      }
      return decodeHeaderBlock(raw);
    });
    this.inflating = p.catch(() => undefined);
    return p;
  }

  /** Serializes and compresses a header block for our side of the connection. */
  encode(headers: Record<string, string | string[]>): Promise<Buffer> {
    const p = this.deflating.then(() => processChunk(this.deflater, encodeHeaderBlock(headers)));
    this.deflating = p.catch(() => undefined);
    return p;
  }

  close(): void {
    this.inflater.destroy();
    this.deflater.destroy();
  }
}
