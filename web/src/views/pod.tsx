// One pod (#/pods/NS/NAME/TAB): its header (name, phase, IPs, Delete with a confirm dialog) and tabs for its
// anatomy, logs, events, YAML and a terminal. The pod itself is kept current by one watch on its name
// (listWatch with a fieldSelector, no polling) that every tab reads; only the open tab is mounted, so
// leaving a tab ends its streams (a followed log, an exec socket).
import { useEffect, useRef, useState } from 'preact/hooks';
import type { RefObject } from 'preact';
import { ApiError, listWatch, request } from '../api.js';
import { podHref } from '../routes.js';
import { lazyView } from '../lazy.js';
import { podIps, podPath, type Pod } from './pod-model.js';
import { AnatomyTab } from './pod-anatomy.js';
import { LogsTab } from './pod-logs.js';
import { EventsTab } from './pod-events.js';

const YamlTab = lazyView(() => import('./pod-yaml.js').then((m) => m.YamlTab));
const TerminalTab = lazyView(() => import('./pod-terminal.js').then((m) => m.TerminalTab));

const TABS = [
  { id: 'anatomy', label: 'Anatomy' },
  { id: 'logs', label: 'Logs' },
  { id: 'events', label: 'Events' },
  { id: 'yaml', label: 'YAML' },
  { id: 'terminal', label: 'Terminal' },
] as const;

export function PodView({ namespace, name, tab }: { namespace: string; name: string; tab: string }) {
  // A fresh page per pod: no state of one pod's view leaks into another's.
  return <PodPage key={`${namespace}/${name}`} namespace={namespace} name={name} tab={tab} />;
}

/** The pod, kept current from a watch: undefined until listed, null when there is no such pod. */
function usePod(ns: string, name: string): { pod: Pod | null | undefined; error?: string } {
  const [pod, setPod] = useState<Pod | null | undefined>(undefined);
  const [error, setError] = useState<string>();
  useEffect(
    () =>
      listWatch<Pod>(
        `/api/v1/namespaces/${encodeURIComponent(ns)}/pods?fieldSelector=${encodeURIComponent(`metadata.name=${name}`)}`,
        (items) => {
          setError(undefined);
          setPod(items.find((p) => p.metadata.name === name) ?? null);
        },
        (err) => setError(err.message),
      ),
    [ns, name],
  );
  return error === undefined ? { pod } : { pod, error };
}

function PodPage({ namespace, name, tab }: { namespace: string; name: string; tab: string }) {
  const { pod, error } = usePod(namespace, name);
  const active = TABS.some((t) => t.id === tab) ? tab : 'anatomy';
  const tabRefs = useRef<Record<string, HTMLAnchorElement | null>>({});
  const deleteDialog = useRef<HTMLDialogElement>(null);
  const deleteButton = useRef<HTMLButtonElement>(null);

  const onTabKey = (e: KeyboardEvent) => {
    const i = TABS.findIndex((t) => t.id === active);
    let next = -1;
    if (e.key === 'ArrowRight') next = (i + 1) % TABS.length;
    else if (e.key === 'ArrowLeft') next = (i - 1 + TABS.length) % TABS.length;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = TABS.length - 1;
    if (next < 0) return;
    e.preventDefault();
    const id = TABS[next]!.id;
    location.hash = podHref(namespace, name, id);
    tabRefs.current[id]?.focus();
  };

  const phase = pod?.status?.phase ?? '';
  const ips = podIps(pod ?? undefined);
  return (
    <section data-testid="pod" class="pod" aria-labelledby="pod-title">
      <div class="pod-head">
        <h1 id="pod-title">
          {namespace}/{name}
        </h1>
        <button type="button" class="danger" data-testid="delete-pod" ref={deleteButton} disabled={pod === null} onClick={() => deleteDialog.current?.showModal()}>
          Delete
        </button>
      </div>
      <dl class="pod-facts">
        <div>
          <dt>Phase</dt>
          <dd>
            <span data-testid="pod-phase" class={`phase phase-${phase.toLowerCase() || 'unknown'}`}>{phase}</span>
            {pod?.metadata.deletionTimestamp && <span class="terminating"> (terminating)</span>}
            {pod?.status?.reason && <span class="muted"> {pod.status.reason}</span>}
          </dd>
        </div>
        <div>
          <dt>Node IP</dt>
          <dd data-testid="pod-host-ip">{pod?.status?.hostIP ?? '—'}</dd>
        </div>
        <div>
          <dt>Pod IP</dt>
          <dd data-testid="pod-ip">{ips.length ? ips.join(', ') : '—'}</dd>
        </div>
        {pod?.spec?.nodeName && (
          <div>
            <dt>Node</dt>
            <dd>{pod.spec.nodeName}</dd>
          </div>
        )}
      </dl>
      {error && (
        <p class="error" role="alert">
          Watching the pod failed: {error}
        </p>
      )}
      {pod === null && (
        <p class="note" role="status">
          There is no pod {namespace}/{name} (it may have been deleted). <a href="#/">Back to the pods</a>
        </p>
      )}
      <DeleteDialog namespace={namespace} name={name} dialog={deleteDialog} opener={deleteButton} />
      <div role="tablist" aria-label="Pod views" class="tabs">
        {TABS.map((t) => (
          <a
            key={t.id}
            ref={(el) => {
              tabRefs.current[t.id] = el;
            }}
            role="tab"
            data-tab={t.id}
            id={`tab-${t.id}`}
            href={podHref(namespace, name, t.id)}
            aria-selected={t.id === active ? 'true' : 'false'}
            aria-controls={`panel-${t.id}`}
            tabIndex={t.id === active ? 0 : -1}
            onKeyDown={onTabKey}
          >
            {t.label}
          </a>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${active}`} aria-labelledby={`tab-${active}`} class="tabpanel">
        {pod === undefined && !error ? (
          <p class="note" role="status">
            Loading the pod…
          </p>
        ) : (
          <>
            {active === 'anatomy' && <AnatomyTab namespace={namespace} name={name} pod={pod ?? undefined} />}
            {active === 'logs' && <LogsTab namespace={namespace} name={name} pod={pod ?? undefined} />}
            {active === 'events' && <EventsTab namespace={namespace} name={name} pod={pod} />}
            {active === 'yaml' && <YamlTab pod={pod ?? undefined} />}
            {active === 'terminal' && <TerminalTab namespace={namespace} name={name} pod={pod ?? undefined} />}
          </>
        )}
      </div>
    </section>
  );
}

/** Delete, behind a modal dialog that says what will happen; on success the page goes back to the pods. */
function DeleteDialog({ namespace, name, dialog, opener }: { namespace: string; name: string; dialog: RefObject<HTMLDialogElement>; opener: RefObject<HTMLButtonElement> }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const close = () => dialog.current?.close();
  const onClose = () => {
    // Back to the button that opened it (Escape or Cancel); a stale error does not greet the next opening.
    setError(undefined);
    if (!location.hash.startsWith('#/pods/')) return;
    opener.current?.focus();
  };
  const confirm = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await request('DELETE', podPath(namespace, name));
      dialog.current?.close();
      location.hash = '#/';
    } catch (err) {
      setError(err instanceof ApiError ? err.message : (err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <dialog ref={dialog} data-testid="confirm-delete" aria-labelledby="confirm-delete-title" aria-describedby="confirm-delete-desc" onClose={onClose}>
      <h2 id="confirm-delete-title">Delete pod?</h2>
      <p id="confirm-delete-desc">
        Delete the pod <strong>{namespace}/{name}</strong>? Its containers are stopped and the pod is removed from the node; this cannot be undone.
      </p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div class="dialog-actions">
        <button type="button" autofocus onClick={close} disabled={busy}>
          Cancel
        </button>
        <button type="button" class="danger" data-testid="confirm-delete-yes" onClick={() => void confirm()} disabled={busy}>
          {busy ? 'Deleting…' : 'Delete'}
        </button>
      </div>
    </dialog>
  );
}
