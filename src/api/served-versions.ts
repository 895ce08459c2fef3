// Versions served over another resource's storage, as kube-apiserver serves events.k8s.io/v1 Events over
// the core Events' storage: one stored object, two API versions. A ServedVersion names the resource as
// that version serves it (group, version, kind, verbs, its own field labels) and how its objects convert
// to and from the stored form; the route (route.ts) keeps the stored resource for every store call and
// carries the ServedVersion, and the handlers convert only at their edges (resources/served.ts): bodies
// in, objects and list heads out, field selectors, and validation, which runs on the stored form with
// the version's own rules (as upstream validates the internal object with the request's version).
// Tables use the stored resource's printer, as upstream prints the internal type for both versions.

import type { FieldCause } from '../errors.js';
import { BadRequestError } from '../errors.js';
import { eventConfigurationFromV1, eventFromV1, eventToV1 } from '../events/convert.js';
import { normalizeMicroTime } from '../k8s/micro-time.js';
import { resourceInfo, type ApiResource } from '../k8s/registry.js';
import type { KubeObject } from '../k8s/types.js';
import { validateEventCreate, validateEventUpdate } from './validation/events.js';
import { findUnknownFieldsIn } from './validation/known-fields.js';
import { obj, scalars, S } from './validation/schema.js';
import { OBJECT_META, OBJECT_REF } from './validation/schema-pod.js';

export interface ServedVersion {
  /** The resource as this version serves it; its plural is the stored resource's. */
  resource: ApiResource;
  /** The stored resource whose objects this version shows. */
  storage: ApiResource;
  /** Each field label this version supports → the stored resource's label for it. */
  fieldLabels: Record<string, string>;
  /** The object in this version. */
  toServed(stored: KubeObject): KubeObject;
  /** A decoded body of this version in the stored form; BadRequestError when it does not decode. */
  toStored(served: KubeObject): KubeObject;
  /** A server-side apply configuration (partial) in the stored form's names, nothing filled in. */
  configurationToStored(served: KubeObject): KubeObject;
  /** Paths of the fields of a body of this version its schema does not know (strict decoding). */
  unknownFields(served: KubeObject): string[];
  /** All the causes against creating `stored` through this version. */
  validateCreate(stored: KubeObject): FieldCause[];
  /** All the causes against replacing `old` with `stored` through this version. */
  validateUpdate(stored: KubeObject, old: KubeObject): FieldCause[];
}

const EVENT_V1_SCHEMA = obj({
  ...scalars('apiVersion kind'),
  metadata: OBJECT_META,
  ...scalars('eventTime reportingController reportingInstance action reason note type deprecatedFirstTimestamp deprecatedLastTimestamp deprecatedCount'),
  series: obj(scalars('count lastObservedTime')),
  regarding: OBJECT_REF,
  related: OBJECT_REF,
  deprecatedSource: obj({ component: S, host: S }),
});

/** upstream's field label conversion for events.k8s.io/v1 Events (no source selector in this version). */
const EVENT_V1_FIELD_LABELS: Record<string, string> = {
  'metadata.name': 'metadata.name',
  'metadata.namespace': 'metadata.namespace',
  'regarding.kind': 'involvedObject.kind',
  'regarding.namespace': 'involvedObject.namespace',
  'regarding.name': 'involvedObject.name',
  'regarding.uid': 'involvedObject.uid',
  'regarding.apiVersion': 'involvedObject.apiVersion',
  'regarding.resourceVersion': 'involvedObject.resourceVersion',
  'regarding.fieldPath': 'involvedObject.fieldPath',
  reason: 'reason',
  reportingController: 'reportingComponent',
  type: 'type',
};

/** eventTime and series.lastObservedTime are MicroTimes: decoded (400 otherwise) and written in UTC. */
function decodeEventTimes(e: KubeObject): void {
  const fix = (holder: Record<string, unknown>, key: string, path: string) => {
    const v = holder[key];
    if (v === undefined || v === null || v === '') return;
    if (typeof v !== 'string') throw new BadRequestError(`Event in version "v1" cannot be handled as a Event: json: cannot unmarshal ${typeof v} into Go struct field Event.${path} of type string`);
    const t = normalizeMicroTime(v);
    if (!t.ok) throw new BadRequestError(`Event in version "v1" cannot be handled as a Event: ${t.error}`);
    holder[key] = t.value;
  };
  fix(e, 'eventTime', 'eventTime');
  const series = e.series;
  if (series && typeof series === 'object' && !Array.isArray(series)) fix(series as Record<string, unknown>, 'lastObservedTime', 'series.lastObservedTime');
}

function eventsV1(): ServedVersion {
  const storage = resourceInfo('events')!;
  const fields: ApiResource['fields'] = {};
  for (const [label, stored] of Object.entries(EVENT_V1_FIELD_LABELS)) fields[label] = storage.fields[stored]!;
  return {
    resource: { ...storage, group: 'events.k8s.io', version: 'v1', fields },
    storage,
    fieldLabels: EVENT_V1_FIELD_LABELS,
    toServed: eventToV1,
    toStored(served) {
      const copy = structuredClone(served);
      decodeEventTimes(copy);
      return eventFromV1(copy);
    },
    configurationToStored(served) {
      const copy = structuredClone(served);
      decodeEventTimes(copy);
      return eventConfigurationFromV1(copy);
    },
    unknownFields: (served) => findUnknownFieldsIn(EVENT_V1_SCHEMA, served),
    validateCreate: (stored) => validateEventCreate(stored, 'events.k8s.io/v1'),
    validateUpdate: (stored, old) => validateEventUpdate(stored, old, 'events.k8s.io/v1'),
  };
}

export const SERVED_VERSIONS: ServedVersion[] = [eventsV1()];

/** The version served at /apis/<group>/<version>/<plural>, if it is one over another resource's storage. */
export function servedVersion(group: string, version: string, plural: string): ServedVersion | undefined {
  return SERVED_VERSIONS.find((v) => v.resource.group === group && v.resource.version === version && v.resource.resource === plural);
}
