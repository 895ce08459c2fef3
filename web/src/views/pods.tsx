// The pods list (#/): the pods of one namespace or of all, kept live by a list+watch (no polling), in
// kubectl's columns; a namespace choice restarts the watch on that namespace's collection.
import { useLayoutEffect, useMemo, useState } from 'preact/hooks';
import { listWatch, type ApiError } from '../api.js';
import { podHref } from '../routes.js';
import { age, byNamespaceThenName, chooseNamespace, chosenNamespace, readyOf, reasonOf, restartsOf, useNamespaces, useNow, type Pod } from './pods-common.js';

export function podsPath(ns: string): string {
  return ns ? `/api/v1/namespaces/${encodeURIComponent(ns)}/pods` : '/api/v1/pods';
}

export function NamespaceSelect({ id, value, names, onChange, allLabel, testid }: { id: string; value: string; names: string[]; onChange: (ns: string) => void; allLabel?: string; testid?: string }) {
  const options = value && !names.includes(value) ? [...names, value].sort() : names;
  return (
    <select id={id} data-testid={testid} value={value} onChange={(e) => onChange((e.currentTarget as HTMLSelectElement).value)}>
      {allLabel !== undefined && <option value="">{allLabel}</option>}
      {options.map((n) => (
        <option key={n} value={n}>
          {n}
        </option>
      ))}
    </select>
  );
}

function PodRow({ pod, now }: { pod: Pod; now: number }) {
  const ns = pod.metadata.namespace ?? '';
  const name = pod.metadata.name;
  const phase = pod.status?.phase ?? '';
  const reason = reasonOf(pod);
  return (
    <tr data-pod={`${ns}/${name}`}>
      <td data-col="name">
        <a href={podHref(ns, name)}>{name}</a>
      </td>
      <td data-col="namespace">{ns}</td>
      <td data-col="phase" class={`phase phase-${phase.toLowerCase()}`}>
        {phase}
        {/* The reason is drawn by CSS from the attribute: the cell's text stays the phase exactly. */}
        {reason !== phase && <span class="reason" data-reason={reason} />}
      </td>
      <td data-col="ready">{readyOf(pod)}</td>
      <td data-col="restarts" class="num">
        {restartsOf(pod)}
      </td>
      <td data-col="age">{age(pod.metadata.creationTimestamp, now)}</td>
      <td data-col="ip">{pod.status?.podIP ?? ''}</td>
    </tr>
  );
}

export function PodsView() {
  const [ns, setNs] = useState(chosenNamespace);
  const [pods, setPods] = useState<Pod[]>();
  const [error, setError] = useState<ApiError>();
  const namespaces = useNamespaces();
  const now = useNow();

  // Started as the view is first rendered, before the browser paints (useEffect would wait a frame): the
  // list is what the first render waits for.
  useLayoutEffect(() => {
    setPods(undefined);
    setError(undefined);
    return listWatch<Pod>(
      podsPath(ns),
      (items) => {
        setError(undefined);
        setPods(items);
      },
      setError,
    );
  }, [ns]);

  const sorted = useMemo(() => (pods ? [...pods].sort(byNamespaceThenName) : []), [pods]);
  const onNs = (v: string) => {
    chooseNamespace(v);
    setNs(v);
  };

  return (
    <section data-testid="pods" class="view">
      <div class="view-head">
        <h1>Pods</h1>
        <div class="field">
          <label for="pods-namespace">Namespace</label>
          <NamespaceSelect id="pods-namespace" testid="namespace" value={ns} names={namespaces.names} onChange={onNs} allLabel="All namespaces" />
        </div>
        <a class="button" href="#/create">
          Create a pod
        </a>
      </div>
      {error && (
        <p class="error" role="alert">
          {error.code === 403 ? 'Not allowed to list these pods: ' : error.code === 0 ? '' : `Error ${error.code}: `}
          {error.message}
          {error.code !== 403 && error.code !== 401 && ' (retrying)'}
        </p>
      )}
      <table data-testid="pods-table" class="list" aria-busy={pods === undefined ? 'true' : 'false'}>
        <caption class="sr-only">{ns ? `Pods in namespace ${ns}` : 'Pods in all namespaces'}</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Namespace</th>
            <th scope="col">Phase</th>
            <th scope="col">Ready</th>
            <th scope="col" class="num">
              Restarts
            </th>
            <th scope="col">Age</th>
            <th scope="col">IP</th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((p) => (
            <PodRow key={p.metadata.uid ?? `${p.metadata.namespace}/${p.metadata.name}`} pod={p} now={now} />
          ))}
        </tbody>
      </table>
      {pods === undefined && !error && <p class="muted">Loading…</p>}
      {pods !== undefined && pods.length === 0 && (
        <p data-testid="pods-empty" class="muted">
          No pods {ns ? `in namespace ${ns}` : 'in any namespace'}. <a href="#/create">Create one</a>.
        </p>
      )}
    </section>
  );
}
