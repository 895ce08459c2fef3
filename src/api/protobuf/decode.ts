// Decodes Kubernetes protobuf request bodies into the JSON shape the rest of the API works on.
// kubectl 1.32+ sends typed-client writes (create configmap/secret/namespace, eviction, ...) as
// `application/vnd.kubernetes.protobuf`: the magic "k8s\0" then a runtime.Unknown envelope
// {typeMeta{apiVersion,kind}, raw}, raw being the kind's message. The field table is k8s-schema.ts.
// JSON conventions applied: Time/MicroTime → RFC 3339, Quantity → string, IntOrString → number or
// string, bytes → base64 (RawExtension/FieldsV1 → embedded JSON); empty strings are dropped (Go's
// generated marshallers write non-pointer strings even when empty, JSON would omit them).

import { BadRequestError } from '../../errors.js';
import { K8S_MESSAGES as CORE_MESSAGES } from './k8s-schema.js';
import { AUTH_MESSAGES } from './auth-schema.js';
import { SERVICE_ACCOUNT_MESSAGES } from '../../serviceaccounts/protobuf-schema.js';

const K8S_MESSAGES: Record<string, string> = { ...CORE_MESSAGES, ...AUTH_MESSAGES, ...SERVICE_ACCOUNT_MESSAGES };

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

interface FieldDef {
  name: string;
  type: string;
  repeated: boolean;
}

const parsed = new Map<string, Map<number, FieldDef>>();

function messageDef(type: string): Map<number, FieldDef> {
  let def = parsed.get(type);
  if (def) return def;
  const enc = K8S_MESSAGES[type];
  if (enc === undefined) throw new BadRequestError(`protobuf: unknown message type ${type}`);
  def = new Map();
  for (const f of enc ? enc.split(';') : []) {
    const [n, name, t, r] = f.split(':');
    def.set(Number(n), { name, type: t, repeated: r === 'r' });
  }
  parsed.set(type, def);
  return def;
}

class Reader {
  pos = 0;
  constructor(readonly buf: Buffer) {}
  done(): boolean {
    return this.pos >= this.buf.length;
  }
  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.buf.length) throw new BadRequestError('protobuf: truncated varint');
      const b = this.buf[this.pos++];
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return result;
      shift += 7n;
      // A varint is at most 10 bytes; longer input would grow the BigInt without bound on the event loop.
      if (shift > 63n) throw new BadRequestError('protobuf: varint longer than 10 bytes');
    }
  }
  bytes(): Buffer {
    const len = Number(this.varint());
    if (this.pos + len > this.buf.length) throw new BadRequestError('protobuf: truncated field');
    const b = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return b;
  }
  fixed(n: number): Buffer {
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
}

function scalarFromVarint(type: string, v: bigint): unknown {
  switch (type) {
    case 'bool':
      return v !== 0n;
    case 'int32':
      return Number(BigInt.asIntN(32, v));
    case 'sint32':
    case 'sint64':
      return Number((v >> 1n) ^ -(v & 1n));
    case 'uint32':
    case 'uint64':
      return Number(BigInt.asUintN(64, v));
    default:
      return Number(BigInt.asIntN(64, v));
  }
}

function special(type: string, raw: Buffer): unknown {
  const m = decodeRaw(raw);
  switch (type) {
    case 'meta.v1.Time':
    case 'meta.v1.MicroTime': {
      const secs = Number(BigInt.asIntN(64, (m.get(1)?.[0] as bigint | undefined) ?? 0n));
      const nanos = Number((m.get(2)?.[0] as bigint | undefined) ?? 0n);
      if (!m.size) return undefined;
      const date = new Date(secs * 1000);
      if (Number.isNaN(date.getTime())) throw new BadRequestError(`protobuf: ${type} out of range: ${secs} s`);
      const iso = date.toISOString().slice(0, 19);
      if (type === 'meta.v1.Time') return `${iso}Z`;
      return `${iso}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z`;
    }
    case 'resource.Quantity':
      return (m.get(1)?.[0] as Buffer | undefined)?.toString('utf8') ?? '0';
    case 'intstr.IntOrString': {
      const t = Number((m.get(1)?.[0] as bigint | undefined) ?? 0n);
      if (t === 1) return (m.get(3)?.[0] as Buffer | undefined)?.toString('utf8') ?? '';
      return Number(BigInt.asIntN(32, (m.get(2)?.[0] as bigint | undefined) ?? 0n));
    }
    case 'runtime.RawExtension':
    case 'meta.v1.FieldsV1': {
      const b = m.get(1)?.[0] as Buffer | undefined;
      if (!b || b.length === 0) return undefined;
      try {
        return JSON.parse(b.toString('utf8'));
      } catch {
        return b.toString('base64');
      }
    }
    case 'meta.v1.Duration':
      return `${Number((m.get(1)?.[0] as bigint | undefined) ?? 0n) / 1e9}s`;
  }
  return undefined;
}

const SPECIAL = new Set(['meta.v1.Time', 'meta.v1.MicroTime', 'resource.Quantity', 'intstr.IntOrString', 'runtime.RawExtension', 'meta.v1.FieldsV1', 'meta.v1.Duration']);

/** Raw fields by number: varints as bigint, length-delimited as Buffer, fixed as Buffer. */
function decodeRaw(buf: Buffer): Map<number, (bigint | Buffer)[]> {
  const r = new Reader(buf);
  const out = new Map<number, (bigint | Buffer)[]>();
  while (!r.done()) {
    const key = Number(r.varint());
    const field = key >>> 3;
    const wire = key & 7;
    let v: bigint | Buffer;
    if (wire === 0) v = r.varint();
    else if (wire === 2) v = r.bytes();
    else if (wire === 1) v = r.fixed(8);
    else if (wire === 5) v = r.fixed(4);
    else throw new BadRequestError(`protobuf: unsupported wire type ${wire}`);
    const list = out.get(field);
    if (list) list.push(v);
    else out.set(field, [v]);
  }
  return out;
}

function decodeValue(type: string, v: bigint | Buffer): unknown {
  if (typeof v === 'bigint') return scalarFromVarint(type, v);
  switch (type) {
    case 'string':
      return v.toString('utf8');
    case 'bytes':
      return v.toString('base64');
    case 'double':
      return v.length === 8 ? v.readDoubleLE(0) : undefined;
    case 'float':
      return v.length === 4 ? v.readFloatLE(0) : undefined;
  }
  if (SPECIAL.has(type)) return special(type, v);
  return decodeMessage(type, v);
}

function decodeMap(type: string, entries: (bigint | Buffer)[]): Record<string, unknown> {
  const [kt, vt] = type.slice(4, -1).split(',');
  const out: Record<string, unknown> = {};
  for (const e of entries) {
    const m = decodeRaw(e as Buffer);
    const k = m.get(1)?.[0];
    const v = m.get(2)?.[0];
    const key = k === undefined ? '' : String(decodeValue(kt, k));
    out[key] = v === undefined ? (vt === 'string' || vt === 'bytes' ? '' : undefined) : decodeValue(vt, v);
  }
  return out;
}

const PACKABLE = new Set(['int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'bool']);

/**
 * Embedded structs that Go's JSON writes inline (`json:",inline"`): protobuf nests them in a field of
 * their own, JSON lifts their fields into the parent (a Volume's hostPath, an ephemeral container's name).
 */
const INLINE = new Set(['core.v1.Volume.volumeSource', 'core.v1.EphemeralContainer.ephemeralContainerCommon', 'core.v1.PersistentVolumeSpec.persistentVolumeSource']);

function decodeMessage(type: string, buf: Buffer): Record<string, unknown> {
  const def = messageDef(type);
  const out: Record<string, unknown> = {};
  for (const [num, values] of decodeRaw(buf)) {
    const f = def.get(num);
    if (!f) continue;
    if (f.type.startsWith('map<')) {
      out[f.name] = decodeMap(f.type, values);
    } else if (f.repeated) {
      const items: unknown[] = [];
      for (const v of values) {
        if (Buffer.isBuffer(v) && PACKABLE.has(f.type)) {
          const r = new Reader(v);
          while (!r.done()) items.push(scalarFromVarint(f.type, r.varint()));
        } else items.push(decodeValue(f.type, v));
      }
      out[f.name] = items;
    } else {
      const v = decodeValue(f.type, values[values.length - 1]);
      if (v === undefined || v === '') continue;
      if (INLINE.has(`${type}.${f.name}`) && v && typeof v === 'object') Object.assign(out, v);
      else out[f.name] = v;
    }
  }
  return out;
}

function messageTypeFor(apiVersion: string, kind: string): string {
  const group = apiVersion.includes('/') ? apiVersion.replace('/', '.') : `core.${apiVersion}`;
  for (const t of [`${group}.${kind}`, `meta.v1.${kind}`]) if (K8S_MESSAGES[t] !== undefined) return t;
  throw new BadRequestError(`protobuf: no decoder for ${kind} in version ${apiVersion}`);
}

export function isK8sProtobuf(buf: Buffer): boolean {
  return buf.length >= 4 && buf.subarray(0, 4).equals(MAGIC);
}

/** Decodes a "k8s\0"-prefixed protobuf body into a JSON object with apiVersion and kind. */
export function decodeK8sProtobuf(buf: Buffer): Record<string, unknown> {
  if (!isK8sProtobuf(buf)) throw new BadRequestError('protobuf: the body does not start with the kubernetes magic prefix');
  const unknown = decodeMessage('runtime.Unknown', buf.subarray(4));
  const typeMeta = (unknown.typeMeta ?? {}) as { apiVersion?: string; kind?: string };
  const raw = unknown.raw ? Buffer.from(unknown.raw as string, 'base64') : Buffer.alloc(0);
  if (!typeMeta.kind || !typeMeta.apiVersion) throw new BadRequestError('protobuf: the envelope names no apiVersion and kind');
  const obj = decodeMessage(messageTypeFor(typeMeta.apiVersion, typeMeta.kind), raw);
  return { apiVersion: typeMeta.apiVersion, kind: typeMeta.kind, ...obj };
}
