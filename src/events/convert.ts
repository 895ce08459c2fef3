// events.k8s.io/v1 Event ⇄ core/v1 Event, the two versions kube-apiserver serves of one stored Event
// (upstream's Convert_v1_Event_To_core_Event and back): regarding ⇄ involvedObject, note ⇄ message,
// reportingController ⇄ reportingComponent, deprecatedSource ⇄ source, deprecatedFirstTimestamp /
// deprecatedLastTimestamp / deprecatedCount ⇄ firstTimestamp / lastTimestamp / count; metadata, eventTime,
// series, action, related, reason, type and reportingInstance are shared. Pure.
//
// Both directions write what Go's encoder writes for the target type: structs that are never omitted
// (involvedObject / regarding, source / deprecatedSource: {} when empty), times that encode as null when
// unset (eventTime; the core timestamps; the deprecated timestamps), core's reportingComponent and
// reportingInstance always present, every other empty field left out. So a round trip is the identity on
// what the API server would have written.

import type { KubeObject } from '../k8s/types.js';

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A string field as Go holds it ("" when absent). */
const s = (v: unknown): string => (typeof v === 'string' ? v : '');
/** A time field as Go encodes it: the value, or null when unset. */
const time = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const int = (v: unknown): number => (typeof v === 'number' ? v : 0);

/** ObjectReference with its empty fields left out (they are all omitempty). */
function reference(v: unknown): Json {
  const out: Json = {};
  if (!isObj(v)) return out;
  for (const k of ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath']) if (s(v[k])) out[k] = v[k];
  return out;
}

function source(v: unknown): Json {
  const out: Json = {};
  if (isObj(v)) for (const k of ['component', 'host']) if (s(v[k])) out[k] = v[k];
  return out;
}

function series(v: unknown): Json | undefined {
  if (!isObj(v)) return undefined;
  return { count: int(v.count), lastObservedTime: time(v.lastObservedTime) };
}

/** Adds the omitempty fields shared by both versions. */
function shared(from: Json, to: Json): void {
  const ser = series(from.series);
  if (ser) to.series = ser;
  if (isObj(from.related)) to.related = reference(from.related);
  for (const k of ['action', 'reason', 'type']) if (s(from[k])) to[k] = from[k];
}

/** The events.k8s.io/v1 form of a stored core/v1 Event. */
export function eventToV1(core: KubeObject): KubeObject {
  const c = core as unknown as Json;
  const out: Json = { kind: 'Event', apiVersion: 'events.k8s.io/v1', metadata: core.metadata, eventTime: time(c.eventTime) };
  if (s(c.reportingComponent)) out.reportingController = c.reportingComponent;
  if (s(c.reportingInstance)) out.reportingInstance = c.reportingInstance;
  shared(c, out);
  out.regarding = reference(c.involvedObject);
  if (s(c.message)) out.note = c.message;
  out.deprecatedSource = source(c.source);
  out.deprecatedFirstTimestamp = time(c.firstTimestamp);
  out.deprecatedLastTimestamp = time(c.lastTimestamp);
  if (int(c.count)) out.deprecatedCount = c.count;
  return order(out, V1_ORDER) as KubeObject;
}

/** The core/v1 form (as stored) of an events.k8s.io/v1 Event. */
export function eventFromV1(v1: KubeObject): KubeObject {
  const e = v1 as unknown as Json;
  const out: Json = { kind: 'Event', apiVersion: 'v1', metadata: v1.metadata, involvedObject: reference(e.regarding) };
  shared(e, out);
  if (s(e.note)) out.message = e.note;
  out.source = source(e.deprecatedSource);
  out.firstTimestamp = time(e.deprecatedFirstTimestamp);
  out.lastTimestamp = time(e.deprecatedLastTimestamp);
  if (int(e.deprecatedCount)) out.count = e.deprecatedCount;
  out.eventTime = time(e.eventTime);
  out.reportingComponent = s(e.reportingController);
  out.reportingInstance = s(e.reportingInstance);
  return order(out, CORE_ORDER) as KubeObject;
}

/** events.k8s.io/v1 field → its core/v1 name, for the fields whose names differ. */
const V1_TO_CORE: Record<string, string> = {
  regarding: 'involvedObject',
  note: 'message',
  reportingController: 'reportingComponent',
  deprecatedSource: 'source',
  deprecatedFirstTimestamp: 'firstTimestamp',
  deprecatedLastTimestamp: 'lastTimestamp',
  deprecatedCount: 'count',
};

/**
 * A server-side apply configuration of events.k8s.io/v1 in core/v1 names: the fields it holds renamed,
 * nothing filled in. A configuration is partial — what it leaves out its manager does not own — so the
 * full conversion's empty structs and null times would claim (and overwrite) fields it never sent.
 */
export function eventConfigurationFromV1(v1: KubeObject): KubeObject {
  const out: Json = {};
  for (const [k, v] of Object.entries(v1 as unknown as Json)) out[V1_TO_CORE[k] ?? k] = v;
  out.apiVersion = 'v1';
  return out as unknown as KubeObject;
}

// Go's field order of each type, so the JSON reads as the API server's.
const V1_ORDER = ['kind', 'apiVersion', 'metadata', 'eventTime', 'series', 'reportingController', 'reportingInstance', 'action', 'reason', 'regarding', 'related', 'note', 'type', 'deprecatedSource', 'deprecatedFirstTimestamp', 'deprecatedLastTimestamp', 'deprecatedCount'];
const CORE_ORDER = ['kind', 'apiVersion', 'metadata', 'involvedObject', 'reason', 'message', 'source', 'firstTimestamp', 'lastTimestamp', 'count', 'type', 'eventTime', 'series', 'action', 'related', 'reportingComponent', 'reportingInstance'];

function order(o: Json, keys: string[]): Json {
  const out: Json = {};
  for (const k of keys) if (k in o) out[k] = o[k];
  return out;
}
