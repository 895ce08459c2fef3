// The anatomy tab: what the node really holds for the pod (GET pods/NAME/anatomy), drawn by the shared SVG
// drawer, then each container's state, probes and process tree. Live without polling: the anatomy is read
// again whenever the watched pod changes (its resourceVersion), at most one read in flight and one queued.
// A 404/409 (no sandbox yet, or none any more) is a note, and the next change of the pod tries again.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, getJson } from '../api.js';
import { anatomySvg } from '../../../src/ui/anatomy-svg.js';
import type { ContainerAnatomy, PodAnatomy, ProbeAnatomy, ProcessNode } from '../../../src/node/anatomy-types.js';
import { containersOf, podPath, stateText, type Pod, type PodContainer, type Probe } from './pod-model.js';

interface Fetcher {
  inFlight: boolean;
  queued: boolean;
  ctl: AbortController;
  /** A read the network lost (not the server's answer) is tried again after this many ms (doubling, reset by an answer). */
  backoff: number;
  retry?: ReturnType<typeof setTimeout>;
}

function useAnatomy(ns: string, name: string, pod: Pod | undefined) {
  const [anatomy, setAnatomy] = useState<PodAnatomy>();
  const [note, setNote] = useState<string>();
  const [error, setError] = useState<string>();
  const f = useRef<Fetcher>({ inFlight: false, queued: false, ctl: new AbortController(), backoff: 500 });
  useEffect(
    () => () => {
      f.current.ctl.abort();
      clearTimeout(f.current.retry);
    },
    [],
  );

  const readOnce = async () => {
    try {
      const a = await getJson<PodAnatomy>(`${podPath(ns, name)}/anatomy`, f.current.ctl.signal);
      f.current.backoff = 500;
      setAnatomy(a);
      setNote(undefined);
      setError(undefined);
    } catch (err) {
      if ((err as Error).name === 'AbortError') return;
      if (!(err instanceof ApiError) || err.code === 0) {
        // The request never got an answer (a browser on the node sees its network change whenever a pod's
        // veth comes or goes, and drops requests in flight): read again shortly, the pod may not change again.
        const s = f.current;
        setError(`${(err as Error).message}; trying again`);
        clearTimeout(s.retry);
        s.retry = setTimeout(trigger, s.backoff);
        s.backoff = Math.min(s.backoff * 2, 8000);
      } else if (err.code === 404 || err.code === 409) {
        f.current.backoff = 500;
        setAnatomy(undefined);
        setError(undefined);
        setNote(err.message);
      } else {
        f.current.backoff = 500;
        setError(err.message);
      }
    }
  };
  const trigger = () => {
    const s = f.current;
    if (s.inFlight) {
      s.queued = true;
      return;
    }
    s.inFlight = true;
    clearTimeout(s.retry);
    void (async () => {
      try {
        do {
          s.queued = false;
          await readOnce();
        } while (s.queued && !s.ctl.signal.aborted);
      } finally {
        s.inFlight = false;
      }
    })();
  };
  const rv = pod?.metadata.resourceVersion;
  useEffect(() => {
    if (rv !== undefined) trigger();
  }, [rv]);
  return { anatomy, note, error };
}

export function AnatomyTab({ namespace, name, pod }: { namespace: string; name: string; pod: Pod | undefined }) {
  const { anatomy, note, error } = useAnatomy(namespace, name, pod);
  const containers = containersOf(pod);
  return (
    <div class="anatomy-tab">
      {error && (
        <p class="error" role="alert">
          Reading the anatomy failed: {error}
        </p>
      )}
      {note && (
        <p class="note" role="status">
          The pod has no anatomy to show yet ({note}); it is read again when the pod changes.
        </p>
      )}
      {anatomy ? (
        <div
          data-testid="anatomy"
          class="anatomy-svg"
          role="group"
          aria-label="Pod anatomy diagram"
          // anatomySvg escapes every text it draws (the pod's names, commands and paths included).
          dangerouslySetInnerHTML={{ __html: anatomySvg(anatomy) }}
        />
      ) : (
        <div data-testid="anatomy" class="anatomy-svg empty">
          {pod && !note && !error && <p class="note">Reading the anatomy…</p>}
        </div>
      )}
      <h2>Containers</h2>
      <ContainerTable containers={containers} anatomy={anatomy} />
      <h2 id="processes-title">Processes</h2>
      <div data-testid="processes" aria-labelledby="processes-title" class="processes">
        {anatomy ? (
          anatomy.containers.map((c) => <ContainerProcesses key={c.name} c={c} />)
        ) : (
          <p class="note">{pod ? 'No process is known until the anatomy is read.' : 'No pod, no processes.'}</p>
        )}
      </div>
    </div>
  );
}

function ContainerTable({ containers, anatomy }: { containers: PodContainer[]; anatomy: PodAnatomy | undefined }) {
  if (!containers.length) return <p class="note">The pod has no containers.</p>;
  return (
    <table class="grid" data-testid="container-statuses">
      <thead>
        <tr>
          <th scope="col">Container</th>
          <th scope="col">Kind</th>
          <th scope="col">State</th>
          <th scope="col">Ready</th>
          <th scope="col">Restarts</th>
          <th scope="col">Probes (last result)</th>
        </tr>
      </thead>
      <tbody>
        {containers.map((c) => {
          const a = anatomy?.containers.find((x) => x.name === c.name);
          const probes = a ? a.probes : specProbes(c);
          return (
            <tr key={c.name} data-container={c.name}>
              <th scope="row">{c.name}</th>
              <td>{c.kind}</td>
              <td data-col="state">{stateText(c.status?.state)}</td>
              <td data-col="ready">{c.status ? (c.status.ready ? 'yes' : 'no') : '—'}</td>
              <td data-col="restarts">{c.status?.restartCount ?? 0}</td>
              <td data-col="probes">
                {probes.length ? (
                  <ul class="plain">
                    {probes.map((p) => (
                      <li key={p.type}>
                        {p.type} <code>{p.handler}</code> every {p.periodSeconds}s:{' '}
                        <span class={`probe-${p.lastResult ?? 'none'}`}>{p.lastResult ?? 'no result yet'}</span>
                      </li>
                    ))}
                  </ul>
                ) : (
                  'none'
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** Without an anatomy: the probes from the spec, and what the status says of them (ready, started). */
function specProbes(c: PodContainer): ProbeAnatomy[] {
  const out: ProbeAnatomy[] = [];
  const add = (type: ProbeAnatomy['type'], p: Probe | undefined, said: boolean | undefined) => {
    if (!p) return;
    const handler = p.httpGet
      ? `httpGet :${p.httpGet.port ?? ''}${p.httpGet.path ?? ''}`
      : p.tcpSocket
        ? `tcpSocket :${p.tcpSocket.port ?? ''}`
        : p.exec
          ? `exec ${(p.exec.command ?? []).join(' ')}`
          : p.grpc
            ? `grpc :${p.grpc.port ?? ''}`
            : 'unknown';
    const probe: ProbeAnatomy = { type, handler, periodSeconds: p.periodSeconds ?? 10 };
    if (said !== undefined && c.status?.state?.running) probe.lastResult = said ? 'success' : 'failure';
    out.push(probe);
  };
  add('startup', c.spec.startupProbe, c.status?.started);
  add('liveness', c.spec.livenessProbe, undefined);
  add('readiness', c.spec.readinessProbe, c.status?.ready);
  return out;
}

function ContainerProcesses({ c }: { c: ContainerAnatomy }) {
  const id = `proc-${c.name}`;
  return (
    <section class="proc-container" aria-labelledby={id} data-container={c.name}>
      <h3 id={id}>
        {c.name} <span class="muted">({c.kind}, {c.state})</span>
      </h3>
      {c.processes.length ? (
        <ProcessList nodes={c.processes} />
      ) : (
        <p class="note">{c.state === 'running' ? 'No process was read.' : 'Not running: no processes.'}</p>
      )}
      {c.processesOmitted ? <p class="note">{c.processesOmitted} more processes not shown.</p> : null}
    </section>
  );
}

function ProcessList({ nodes }: { nodes: ProcessNode[] }) {
  return (
    <ul class="proc-tree">
      {nodes.map((p) => {
        // The anatomy names no user today; should a process carry one (user or uid), it is shown.
        const extra = p as ProcessNode & { user?: string; uid?: number };
        const who = extra.user ?? (extra.uid !== undefined ? `uid ${extra.uid}` : undefined);
        return (
          <li key={p.pid} data-pid={p.pid}>
            <span class="pid">pid {p.pid}</span>
            {who !== undefined && <span class="proc-user">{who}</span>}
            <code class="argv">{p.command}</code>
            {p.children.length > 0 && <ProcessList nodes={p.children} />}
          </li>
        );
      })}
    </ul>
  );
}
