// The events tab: the events about this pod, kept current by a watch, oldest first as `kubectl describe`
// lists them. The pod is this one by its uid (involvedObject.kind=Pod,involvedObject.uid=UID), not by its
// name: an earlier pod of the same name, or an object of another kind named alike, has events of its own.
import { useEffect, useState } from 'preact/hooks';
import { listWatch, type KubeObject } from '../api.js';
import type { Pod } from './pod-model.js';
import { age, useNow } from './pods-common.js';

interface Event extends KubeObject {
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  eventTime?: string | null;
  series?: { count?: number; lastObservedTime?: string };
  source?: { component?: string; host?: string };
  reportingComponent?: string;
  reportingInstance?: string;
  involvedObject?: { kind?: string; name?: string; uid?: string };
}

/** When it last happened: the series' last observation, lastTimestamp, eventTime, firstTimestamp, creation. */
function whenOf(e: Event): string | undefined {
  return e.series?.lastObservedTime || e.lastTimestamp || e.eventTime || e.firstTimestamp || e.metadata.creationTimestamp || undefined;
}

function fromOf(e: Event): string {
  const component = e.source?.component || e.reportingComponent || '';
  const host = e.source?.host || e.reportingInstance || '';
  return host && host !== component ? `${component}, ${host}` : component;
}

/** The field selector of the events about the pod whose uid is `uid`. */
export function podEventsSelector(uid: string): string {
  return `involvedObject.kind=Pod,involvedObject.uid=${uid}`;
}

/**
 * `pod` is the view's watched pod: undefined while it is being listed, null when there is no such pod.
 * The events shown are those of the last pod of this name seen (a pod deleted while shown keeps its
 * events on screen); a new pod of the name (another uid) restarts the watch.
 */
export function EventsTab({ namespace, name, pod }: { namespace: string; name: string; pod?: Pod | null | undefined }) {
  const [events, setEvents] = useState<Event[]>();
  const [error, setError] = useState<string>();
  const [uid, setUid] = useState<string>();
  const now = useNow(5000);
  const podUid = pod?.metadata.uid;
  useEffect(() => {
    if (podUid) setUid(podUid);
  }, [podUid]);
  useEffect(() => {
    setEvents(undefined);
    setError(undefined);
    if (!uid) return;
    return listWatch<Event>(
      `/api/v1/namespaces/${encodeURIComponent(namespace)}/events?fieldSelector=${encodeURIComponent(podEventsSelector(uid))}`,
      (items) => {
        setError(undefined);
        setEvents(items);
      },
      (err) => setError(err.message),
    );
  }, [namespace, uid]);
  const missing = !uid && pod === null;
  const sorted = (events ?? [])
    .map((e) => ({ e, when: whenOf(e), t: Date.parse(whenOf(e) ?? '') }))
    .sort((a, b) => (Number.isNaN(a.t) ? 0 : a.t) - (Number.isNaN(b.t) ? 0 : b.t) || a.e.metadata.name.localeCompare(b.e.metadata.name));
  return (
    <div class="events-tab">
      {error && (
        <p class="error" role="alert">
          Watching the events failed: {error}
        </p>
      )}
      <table class="grid" data-testid="events">
        <caption class="visually-hidden">Events of the pod, oldest first</caption>
        <thead>
          <tr>
            <th scope="col">Type</th>
            <th scope="col">Reason</th>
            <th scope="col">Age</th>
            <th scope="col">From</th>
            <th scope="col">Message</th>
          </tr>
        </thead>
        <tbody>
          {missing ? (
            <tr>
              <td colSpan={5} class="note" data-testid="events-empty">
                There is no pod {namespace}/{name}: no events.
              </td>
            </tr>
          ) : events === undefined ? (
            <tr>
              <td colSpan={5} class="note">
                Loading the events…
              </td>
            </tr>
          ) : sorted.length === 0 ? (
            <tr>
              <td colSpan={5} class="note" data-testid="events-empty">
                No events.
              </td>
            </tr>
          ) : (
            sorted.map(({ e, when }) => {
              const n = e.series?.count ?? e.count ?? 1;
              return (
                <tr key={e.metadata.uid ?? e.metadata.name} data-event={e.metadata.name}>
                  <td data-col="type" class={e.type === 'Warning' ? 'warning' : undefined}>
                    {e.type ?? ''}
                  </td>
                  <td data-col="reason">{e.reason ?? ''}</td>
                  <td data-col="age">
                    <time dateTime={when} title={when}>
                      {age(when, now)}
                      {n > 1 ? ` (×${n})` : ''}
                    </time>
                  </td>
                  <td data-col="from">{fromOf(e)}</td>
                  <td data-col="message">{e.message ?? ''}</td>
                </tr>
              );
            })
          )}
        </tbody>
      </table>
    </div>
  );
}
