// Request context and the small HTTP helpers every handler uses: body reading and decoding (JSON or
// YAML), JSON replies with Warning headers, and Accept negotiation.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { KUBE_YAML } from '../k8s/yaml-schema.js';
import { BadRequestError } from '../errors.js';
import { unsupportedMediaType } from './api-errors.js';
import { UploadTooLargeError } from './upload-limit.js';
import { decodeK8sProtobuf } from './protobuf/decode.js';
import { replyBuffers } from './reply-buffers.js';
import { checkNestingDepth, checkYamlNesting } from './body-depth.js';
import type { UserInfo } from './auth/types.js';

export interface RequestContext {
  id: string;
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  path: string;
  query: URLSearchParams;
  /** Aborted when the client goes away or the server stops. */
  signal: AbortSignal;
  /** Sent as `Warning: 299 - "<text>"` headers with the reply. */
  warnings: string[];
  /** Who is asking, set by the security stage before dispatch. */
  user?: UserInfo;
  /** How the security stage told the user (x509, token, session, anonymous). */
  authMethod?: 'x509' | 'token' | 'anonymous' | 'session';
  /** The largest object body this server reads (its --max-request-body); default MAX_BODY_BYTES. */
  maxBodyBytes?: number;
}

/** Largest request body accepted in memory (objects) by default, kube-apiserver's 3 MB; image uploads stream to disk instead. */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

/**
 * The body, up to `limit` bytes (the server's cap by default). A declared Content-Length over it fails
 * before a byte is read; either way the 413 closes the connection after a bounded drain (server.ts), so a
 * client cannot make the server read an endless body.
 */
export async function readBody(ctx: RequestContext, limit = ctx.maxBodyBytes ?? MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(ctx.req.headers['content-length'] ?? 0);
  if (declared > limit) throw new UploadTooLargeError(`Request entity too large: limit is ${limit}`, limit);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of ctx.req) {
      size += (chunk as Buffer).length;
      if (size > limit) throw new UploadTooLargeError(`Request entity too large: limit is ${limit}`, limit);
      chunks.push(chunk as Buffer);
    }
  } catch (err) {
    // The client closed the connection before the body's end (a truncated upload): its fault, not a 500.
    if ((err as NodeJS.ErrnoException).code === 'ECONNRESET' || ctx.req.destroyed) throw new BadRequestError(`the request body ended after ${size} bytes: the client closed the connection`);
    throw err;
  }
  return Buffer.concat(chunks);
}

/** The media type of the request body without parameters, lowercased ("" when absent). */
/**
 * A request's target as a URL. A target that is not one ("//:99999", an absolute form with a broken host
 * such as "http://[::1") is the client's error: a 400, on plain requests and upgrades alike.
 */
export function requestTarget(target: string | undefined): URL {
  try {
    return new URL(target ?? '/', 'http://localhost');
  } catch {
    throw new BadRequestError(`invalid request target ${JSON.stringify(target)}`);
  }
}

export function contentType(ctx: RequestContext): string {
  return (ctx.req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

/** Decodes a JSON, YAML or Kubernetes-protobuf body, by content type (YAML also for apply-patch+yaml). */
export function decodeBody(buf: Buffer, type: string): unknown {
  if (type === 'application/vnd.kubernetes.protobuf') return decodeK8sProtobuf(buf);
  if (type.includes('protobuf') || type.includes('cbor')) throw unsupportedMediaType(type);
  const text = buf.toString('utf8');
  if (text.trim() === '') throw new BadRequestError('the request body is empty');
  const decoded = parseText(text, type.endsWith('yaml') || type === 'text/yaml');
  checkNestingDepth(decoded);
  return decoded;
}

function parseText(text: string, yaml: boolean): unknown {
  if (yaml) {
    checkYamlNesting(text);
    try {
      return parseYaml(text, { ...KUBE_YAML, uniqueKeys: false });
    } catch (err) {
      throw new BadRequestError(`error converting YAML to JSON: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new BadRequestError(`couldn't decode the request body as JSON: ${(err as Error).message}`);
  }
}

/** Reads and decodes the body; it must be a JSON object. */
export async function readObject(ctx: RequestContext): Promise<Record<string, unknown>> {
  const body = decodeBody(await readBody(ctx), contentType(ctx));
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new BadRequestError('the request body must be a JSON or YAML object');
  }
  return body as Record<string, unknown>;
}

/**
 * `299 - "<text>"`, quoted as JSON, its UTF-8 bytes sent as they are (as Go's server sends header values):
 * Node takes a header value as Latin-1 and throws on any character above U+00FF or a control character, so a
 * warning naming a client's field "ünïcode" or holding DEL would otherwise abort the reply.
 */
export function warningHeader(text: string): string {
  const quoted = JSON.stringify(text).replace(/\x7f/g, '\\u007f');
  return `299 - ${Buffer.from(quoted, 'utf8').toString('latin1')}`;
}

export function sendJson(ctx: RequestContext, code: number, body: unknown, type = 'application/json'): void {
  sendSerialized(ctx, code, JSON.stringify(body), type);
}

/**
 * sendSerialized for a body built by `build` (a list spliced from stored JSON) in a buffer from the reply
 * pool, which gets it back once the reply has gone out (reply-buffers.ts).
 */
export function sendBuilt(ctx: RequestContext, code: number, build: (alloc: (size: number) => Buffer) => Buffer): void {
  const reply = replyBuffers.forReply();
  sendSerialized(ctx, code, build(reply.alloc));
  reply.after(ctx.res);
}

/** sendJson for a body serialised already (a stored object's JSON, or a list spliced from such). */
export function sendSerialized(ctx: RequestContext, code: number, json: string | Buffer, type = 'application/json'): void {
  const data = typeof json === 'string' ? Buffer.from(json) : json;
  const headers: Record<string, string | string[] | number> = {
    'Content-Type': type,
    'Content-Length': data.length,
    'Cache-Control': cacheControl(ctx),
  };
  if (ctx.warnings.length) headers['Warning'] = ctx.warnings.map(warningHeader);
  if (ctx.res.headersSent) {
    ctx.res.end();
    return;
  }
  ctx.res.writeHead(code, headers);
  ctx.res.end(data);
}

/**
 * JSON.stringify({ ...head, items }) for items serialised already, as UTF-8: the stored objects' JSON is
 * written as it is, not parsed and serialised again (most of a list's cost), and straight into the reply's
 * buffer (joining a multi-megabyte string first, then encoding it, costs several times more).
 * `items` comes last, as upstream's.
 */
export function listJson(head: Record<string, unknown> & { items?: never }, items: readonly string[], alloc?: (size: number) => Buffer): Buffer {
  return spliceJson(JSON.stringify({ ...head, items: [] }).slice(0, -2), items, alloc);
}

/**
 * `open` (a JSON text up to an array's "["), then `items` joined with commas, then "]}", as UTF-8, in a
 * buffer from `alloc` (a reply's: reply-buffers.ts).
 */
export function spliceJson(open: string, items: readonly string[], alloc: (size: number) => Buffer = Buffer.allocUnsafe): Buffer {
  const close = ']}';
  let size = Buffer.byteLength(open) + Math.max(0, items.length - 1) + close.length;
  for (const item of items) size += Buffer.byteLength(item);
  const out = alloc(size);
  let at = out.write(open);
  for (let i = 0; i < items.length; i++) {
    if (i > 0) at += out.write(',', at);
    at += out.write(items[i]!, at);
  }
  out.write(close, at);
  return out;
}

/** A dashboard session's answers stay out of the browser's disk cache (a pod's env, its logs, after logout). */
export function cacheControl(ctx: RequestContext): string {
  return ctx.authMethod === 'session' ? 'no-store' : 'no-cache, private';
}

export function sendText(ctx: RequestContext, code: number, text: string | Buffer, type = 'text/plain; charset=utf-8'): void {
  const data = typeof text === 'string' ? Buffer.from(text) : text;
  ctx.res.writeHead(code, { 'Content-Type': type, 'Content-Length': data.length, ...(ctx.authMethod === 'session' ? { 'Cache-Control': 'no-store' } : {}) });
  ctx.res.end(data);
}

export interface MediaRange {
  type: string;
  params: Record<string, string>;
}

/** Parses an Accept header into media ranges, in the order given (kubectl lists preference first). */
export function parseAccept(header: string | undefined): MediaRange[] {
  if (!header) return [];
  return header.split(',').map((part) => {
    const [type, ...rest] = part.split(';').map((s) => s.trim());
    const params: Record<string, string> = {};
    for (const p of rest) {
      const i = p.indexOf('=');
      if (i > 0) params[p.slice(0, i).trim().toLowerCase()] = p.slice(i + 1).trim();
    }
    return { type: type.toLowerCase(), params };
  });
}

export function isJsonRange(r: MediaRange): boolean {
  return r.type === 'application/json' || r.type === '*/*' || r.type === 'application/*';
}

/** What shape a GET/list/watch reply should take, from the Accept header. */
export type ObjectShape =
  | { kind: 'object' }
  | { kind: 'table'; version: 'v1' | 'v1beta1' }
  | { kind: 'partial'; version: 'v1' | 'v1beta1'; list: boolean };

export function negotiateShape(ctx: RequestContext): ObjectShape {
  for (const r of parseAccept(ctx.req.headers.accept)) {
    if (r.type !== 'application/json') continue;
    const { as, g, v } = r.params;
    if (!as) return { kind: 'object' };
    if (g !== 'meta.k8s.io' || (v !== 'v1' && v !== 'v1beta1')) continue;
    if (as === 'Table') return { kind: 'table', version: v };
    if (as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') {
      return { kind: 'partial', version: v, list: as.endsWith('List') };
    }
  }
  return { kind: 'object' };
}

/** A boolean query parameter as Kubernetes parses it ("true", "1"). */
export function queryBool(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return v === 'true' || v === '1' || v === 'True';
}

/** A non-negative integer query parameter, or undefined; 400 when malformed. */
export function queryInt(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw new BadRequestError(`invalid value for ${name}: ${JSON.stringify(v)}: must be an integer`);
  return Number(v);
}
