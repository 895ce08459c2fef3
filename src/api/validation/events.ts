// Validation of Events, on the stored (core/v1) form whichever version the request used, as upstream's
// ValidateEventCreate / ValidateEventUpdate do on the internal type with the request's group version:
// - every Event passes the legacy rules: the namespaces agree, and an Event with an eventTime (a "new"
//   Event) names its reportingController (a qualified name), reportingInstance (≤ 128), action
//   (≤ 128) and reason (≤ 128), its message at most 1024 characters;
// - a write through events.k8s.io/v1 adds the strict rules: eventTime required, type Normal or Warning,
//   the deprecated fields (firstTimestamp, lastTimestamp, count, source) unset, a series of at least 2
//   with its lastObservedTime, and on update everything but the series and metadata immutable.
// Field paths name the stored form's fields (message, involvedObject...), as upstream's errors do.

import type { FieldCause } from '../../errors.js';
import type { KubeObject } from '../../k8s/types.js';
import { asObject, invalid, invalidEach, type Json, required, str } from './field.js';
import { type MetaRules, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { isQualifiedName } from './names.js';
import { semanticEqual } from './semantic.js';

export const EVENT_META: MetaRules = { namespaced: true, name: 'subdomain' };

/** The API version a write came through: the core group's, or events.k8s.io/v1's stricter rules. */
export type EventRequestVersion = 'v1' | 'events.k8s.io/v1';

const REPORTING_INSTANCE_LIMIT = 128;
const ACTION_LIMIT = 128;
const REASON_LIMIT = 128;
const NOTE_LIMIT = 1024;

const isSet = (v: unknown): boolean => v !== undefined && v !== null && v !== '';

function legacyValidateEvent(e: Json): FieldCause[] {
  const errs: FieldCause[] = [];
  const ns = str(asObject(e.metadata).namespace);
  const involvedNs = str(asObject(e.involvedObject).namespace);
  const mismatch = () => invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace');
  if (!isSet(e.eventTime)) {
    if (!involvedNs) {
      if (ns !== '' && ns !== 'default') errs.push(mismatch());
    } else if (ns !== involvedNs) errs.push(mismatch());
    return errs;
  }
  if (!involvedNs && ns !== 'default' && ns !== 'kube-system') errs.push(mismatch());
  const controller = str(e.reportingComponent);
  if (!controller) errs.push(required('reportingController'));
  errs.push(...invalidEach('reportingController', controller, isQualifiedName(controller)));
  const instance = str(e.reportingInstance);
  if (!instance) errs.push(required('reportingInstance'));
  if (instance.length > REPORTING_INSTANCE_LIMIT) errs.push(invalid('reportingInstance', '', `can have at most ${REPORTING_INSTANCE_LIMIT} characters`));
  const action = str(e.action);
  if (!action) errs.push(required('action'));
  if (action.length > ACTION_LIMIT) errs.push(invalid('action', '', `can have at most ${ACTION_LIMIT} characters`));
  const reason = str(e.reason);
  if (!reason) errs.push(required('reason'));
  if (reason.length > REASON_LIMIT) errs.push(invalid('reason', '', `can have at most ${REASON_LIMIT} characters`));
  if (str(e.message).length > NOTE_LIMIT) errs.push(invalid('message', '', `can have at most ${NOTE_LIMIT} characters`));
  return errs;
}

function validateSeries(e: Json): FieldCause[] {
  if (e.series === undefined || e.series === null) return [];
  const s = asObject(e.series);
  const errs: FieldCause[] = [];
  if (!(typeof s.count === 'number' && s.count >= 2)) errs.push(invalid('series.count', '', 'should be at least 2'));
  if (!isSet(s.lastObservedTime)) errs.push(required('series.lastObservedTime'));
  return errs;
}

export function validateEventCreate(obj: KubeObject, version: EventRequestVersion = 'v1'): FieldCause[] {
  const e = obj as unknown as Json;
  const errs = [...validateObjectMeta(obj.metadata, EVENT_META), ...legacyValidateEvent(e)];
  if (version === 'v1') return errs; // upstream: no further validation for backwards compatibility (any type)
  errs.push(...validateSeries(e));
  if (!isSet(e.eventTime)) errs.push(required('eventTime'));
  if (e.type !== 'Normal' && e.type !== 'Warning') errs.push(invalid('type', '', `has invalid value: ${str(e.type)}`));
  if (isSet(e.firstTimestamp)) errs.push(invalid('firstTimestamp', '', 'needs to be unset'));
  if (isSet(e.lastTimestamp)) errs.push(invalid('lastTimestamp', '', 'needs to be unset'));
  if (typeof e.count === 'number' && e.count !== 0) errs.push(invalid('count', '', 'needs to be unset'));
  const source = asObject(e.source);
  if (isSet(source.component) || isSet(source.host)) errs.push(invalid('source', '', 'needs to be unset'));
  return errs;
}

/** Fields an events.k8s.io/v1 update may not change (stored names; reportingComponent is reportingController). */
const IMMUTABLE: [stored: string, path: string][] = [
  ['involvedObject', 'involvedObject'],
  ['reason', 'reason'],
  ['message', 'message'],
  ['source', 'source'],
  ['firstTimestamp', 'firstTimestamp'],
  ['lastTimestamp', 'lastTimestamp'],
  ['count', 'count'],
  ['type', 'type'],
  ['eventTime', 'eventTime'],
  ['action', 'action'],
  ['related', 'related'],
  ['reportingComponent', 'reportingController'],
  ['reportingInstance', 'reportingInstance'],
];

export function validateEventUpdate(obj: KubeObject, old: KubeObject, version: EventRequestVersion = 'v1'): FieldCause[] {
  const e = obj as unknown as Json;
  const o = old as unknown as Json;
  const errs = [...validateObjectMetaUpdate(obj.metadata, old.metadata, EVENT_META), ...legacyValidateEvent(e)];
  if (version === 'v1') return errs; // upstream: no further validation for backwards compatibility (any type)
  if (!semanticEqual(e.series, o.series)) errs.push(...validateSeries(e));
  for (const [field, path] of IMMUTABLE) {
    if (!semanticEqual(e[field], o[field])) errs.push(invalid(path, e[field] ?? null, 'field is immutable'));
  }
  return errs;
}
