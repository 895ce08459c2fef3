// The event sink contract: components report what happened to an object (Scheduled, Pulled, Created,
// Started, Killing, BackOff, Failed...) and the sink stores core/v1 Events, merging duplicates.

import type { ObjectReference } from './types.js';

export type EventType = 'Normal' | 'Warning';

export interface EventSink {
  /**
   * Records an event about `involved` (kind, namespace, name, uid, apiVersion, and fieldPath such as
   * "spec.containers{web}"). A repeat of the same (object, fieldPath, type, reason, message) bumps
   * count and lastTimestamp instead of adding an event. Never throws: failures are logged.
   */
  record(involved: ObjectReference, type: EventType, reason: string, message: string): void;
}
