// The node (#/node): the Node object (conditions, capacity and allocatable), how many pods it runs, kept
// live by watches; and what it holds on the host, which has no watch: its images and the runtime's
// sandboxes and containers with their namespaces, read when the view opens and on Refresh.
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, getJson, listWatch, type KubeObject } from '../api.js';
import { podHref } from '../routes.js';
import { age, isTerminated, useNow, type Pod } from './pods-common.js';
import { gibibytes, humanBytes, joinedKinds, nsInode, shortId, type HostImage, type RuntimePs } from './node-host.js';

interface NodeK extends KubeObject {
  status?: {
    capacity?: Record<string, string>;
    allocatable?: Record<string, string>;
    conditions?: { type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string; lastHeartbeatTime?: string }[];
    addresses?: { type: string; address: string }[];
    nodeInfo?: Record<string, string>;
  };
}

/** A fetch without a watch: its data, or why there is none (a 403 or 503 is a note, not a failure). */
interface Fetched<T> {
  data?: T;
  error?: ApiError;
}

function problemNote(what: string, e: ApiError): string {
  if (e.code === 403) return `You may not read the ${what} (${e.message}).`;
  if (e.code === 503) return `The ${what} are not available in this daemon (${e.message}).`;
  return `Could not read the ${what}: ${e.message}`;
}

/** A resource quantity as the API gives it, and in GiB beside it when it is that large. */
function Quantity({ q }: { q: string | undefined }) {
  if (q === undefined) return null;
  const g = gibibytes(q);
  return (
    <>
      {q}
      {g && <span class="muted small"> ({g})</span>}
    </>
  );
}

function NodeDetails({ node, podCount, podsError, now }: { node: NodeK; podCount: number | undefined; podsError: ApiError | undefined; now: number }) {
  const cap = node.status?.capacity ?? {};
  const alloc = node.status?.allocatable ?? {};
  const resources = [...new Set([...Object.keys(cap), ...Object.keys(alloc)])].sort();
  const info = node.status?.nodeInfo ?? {};
  const addresses = node.status?.addresses ?? [];
  return (
    <div class="node">
      <h2>{node.metadata.name}</h2>
      <dl class="facts">
        {addresses.map((a) => (
          <div key={a.type + a.address}>
            <dt>{a.type}</dt>
            <dd>{a.address}</dd>
          </div>
        ))}
        {info.kernelVersion && (
          <div>
            <dt>Kernel</dt>
            <dd>{info.kernelVersion}</dd>
          </div>
        )}
        {info.osImage && (
          <div>
            <dt>OS</dt>
            <dd>{info.osImage}</dd>
          </div>
        )}
        {info.containerRuntimeVersion && (
          <div>
            <dt>Runtime</dt>
            <dd>{info.containerRuntimeVersion}</dd>
          </div>
        )}
        {info.kubeletVersion && (
          <div>
            <dt>Version</dt>
            <dd>{info.kubeletVersion}</dd>
          </div>
        )}
        <div>
          <dt>Age</dt>
          <dd>{age(node.metadata.creationTimestamp, now)}</dd>
        </div>
        <div>
          <dt>Pods</dt>
          <dd>
            {podsError ? (
              <span class="note">{problemNote('pods', podsError)}</span>
            ) : (
              <>
                <span data-testid="node-pods">{podCount ?? '…'}</span>
                {' '}not terminated{alloc.pods !== undefined && `, of ${alloc.pods} allocatable`}
              </>
            )}
          </dd>
        </div>
      </dl>

      <h3 id={`conditions-${node.metadata.name}`}>Conditions</h3>
      <table class="list" data-testid="node-conditions" aria-labelledby={`conditions-${node.metadata.name}`}>
        <thead>
          <tr>
            <th scope="col">Type</th>
            <th scope="col">Status</th>
            <th scope="col">Reason</th>
            <th scope="col">Message</th>
            <th scope="col">Since</th>
          </tr>
        </thead>
        <tbody>
          {(node.status?.conditions ?? []).map((c) => (
            <tr key={c.type} data-condition={c.type}>
              <th scope="row">{c.type}</th>
              <td class={c.type === 'Ready' ? (c.status === 'True' ? 'good' : 'bad') : c.status === 'True' ? 'bad' : ''}>{c.status}</td>
              <td>{c.reason ?? ''}</td>
              <td>{c.message ?? ''}</td>
              <td>{age(c.lastTransitionTime, now)}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h3 id={`resources-${node.metadata.name}`}>Resources</h3>
      <table class="list narrow" data-testid="node-resources" aria-labelledby={`resources-${node.metadata.name}`}>
        <thead>
          <tr>
            <th scope="col">Resource</th>
            <th scope="col" class="num">
              Capacity
            </th>
            <th scope="col" class="num">
              Allocatable
            </th>
          </tr>
        </thead>
        <tbody>
          {resources.map((r) => (
            <tr key={r} data-resource={r}>
              <th scope="row">{r}</th>
              <td class="num" data-col="capacity">
                <Quantity q={cap[r]} />
              </td>
              <td class="num" data-col="allocatable">
                <Quantity q={alloc[r]} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ImagesTable({ images }: { images: HostImage[] }) {
  const rows = images
    .map((im) => ({ im, refs: im.repoTags.length ? im.repoTags : im.repoDigests.length ? im.repoDigests : ['<none>'] }))
    .sort((a, b) => (a.refs[0]! < b.refs[0]! ? -1 : a.refs[0]! > b.refs[0]! ? 1 : 0));
  return (
    <table class="list" data-testid="node-images" aria-labelledby="node-images-title">
      <thead>
        <tr>
          <th scope="col">Reference</th>
          <th scope="col">Image ID</th>
          <th scope="col" class="num">
            Size
          </th>
          <th scope="col">Stored</th>
        </tr>
      </thead>
      <tbody>
        {rows.map(({ im, refs }) => (
          <tr key={im.id} data-image={im.id}>
            <th scope="row">
              {refs.map((r) => (
                <div key={r}>{r}</div>
              ))}
            </th>
            <td>
              <code title={im.id}>{shortId(im.id)}</code>
            </td>
            <td class="num" title={`${im.size} bytes`}>
              {humanBytes(im.size)}
            </td>
            <td>{im.createdAt ? new Date(im.createdAt).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC') : ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A sandbox's namespaces (the ones its infra holds), or a container's: those it shares with its pod's infra, and its own. */
function Namespaces({ ns, infra }: { ns: Record<string, string>; infra?: Record<string, string> }) {
  const kinds = Object.keys(ns).sort();
  if (!kinds.length) return <span class="muted">none readable (no process)</span>;
  const item = (k: string) => (
    <li key={k} data-ns={k} title={ns[k]}>
      <span class="kind">{k}</span> <code>{nsInode(ns[k]!)}</code>
    </li>
  );
  if (!infra) return <ul class="ns">{kinds.map(item)}</ul>;
  const joined = joinedKinds(ns, infra).sort();
  const own = kinds.filter((k) => !joined.includes(k));
  return (
    <div class="ns-split">
      {joined.length > 0 && (
        <div>
          <span class="muted">shares with the pod:</span>{' '}
          <span data-shared={joined.join(',')}>{joined.join(', ')}</span>
        </div>
      )}
      {own.length > 0 && (
        <div>
          <span class="muted">own:</span> <ul class="ns">{own.map(item)}</ul>
        </div>
      )}
    </div>
  );
}

function HostTable({ ps }: { ps: RuntimePs }) {
  const sandboxes = [...ps.sandboxes].sort(
    (a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`) || a.createdAt - b.createdAt,
  );
  const known = new Set(ps.sandboxes.map((s) => s.id));
  const orphans = ps.containers.filter((c) => !known.has(c.sandboxId));
  return (
    <table class="list host" data-testid="node-host" aria-labelledby="node-host-title">
      <thead>
        <tr>
          <th scope="col">Pod / container</th>
          <th scope="col">State</th>
          <th scope="col">IP</th>
          <th scope="col">Network namespace</th>
          <th scope="col" class="num">
            PID <span class="muted">(pause for a pod)</span>
          </th>
          <th scope="col">Namespaces</th>
        </tr>
      </thead>
      {sandboxes.map((sb) => {
        const apps = ps.containers.filter((c) => c.sandboxId === sb.id).sort((a, b) => a.createdAt - b.createdAt);
        return (
          <tbody key={sb.id} data-sandbox={sb.id}>
            <tr class="sandbox" data-pod={`${sb.metadata.namespace}/${sb.metadata.name}`}>
              <th scope="row">
                <a href={podHref(sb.metadata.namespace, sb.metadata.name)}>
                  {sb.metadata.namespace}/{sb.metadata.name}
                </a>{' '}
                <span class="muted">
                  sandbox <code title={sb.id}>{shortId(sb.id)}</code>
                  {sb.metadata.attempt ? `, attempt ${sb.metadata.attempt}` : ''}
                </span>
              </th>
              <td>{sb.state}</td>
              <td data-col="ip">{sb.ip ?? (sb.hostNetwork ? 'host network' : '')}</td>
              <td data-col="netns">
                <code>{sb.netnsPath ?? (sb.hostNetwork ? 'the host’s' : '')}</code>
              </td>
              <td class="num" data-col="pid" title="the infra (pause) process">
                {sb.pid || '–'}
              </td>
              <td data-col="namespaces">
                <Namespaces ns={sb.namespaces} />
              </td>
            </tr>
            {apps.map((c) => (
              <tr key={c.id} class="container" data-container={c.metadata.name}>
                <th scope="row">
                  {c.metadata.name} <span class="muted">
                    container <code title={c.id}>{shortId(c.id)}</code>
                    {c.metadata.attempt ? `, restart ${c.metadata.attempt}` : ''}
                  </span>
                </th>
                <td>{c.state === 'exited' ? `exited (${c.exitCode})` : c.state}</td>
                <td />
                <td />
                <td class="num" data-col="pid">
                  {c.pid || '–'}
                </td>
                <td data-col="namespaces">
                  <Namespaces ns={c.namespaces} infra={sb.namespaces} />
                </td>
              </tr>
            ))}
          </tbody>
        );
      })}
      {orphans.length > 0 && (
        <tbody>
          {orphans.map((c) => (
            <tr key={c.id} class="container" data-container={c.metadata.name}>
              <th scope="row">
                {c.metadata.name} <span class="muted">in a sandbox no longer listed ({shortId(c.sandboxId)})</span>
              </th>
              <td>{c.state === 'exited' ? `exited (${c.exitCode})` : c.state}</td>
              <td />
              <td />
              <td class="num">{c.pid || '–'}</td>
              <td>
                <Namespaces ns={c.namespaces} />
              </td>
            </tr>
          ))}
        </tbody>
      )}
    </table>
  );
}

export function NodeView() {
  const [nodes, setNodes] = useState<NodeK[]>();
  const [nodesError, setNodesError] = useState<ApiError>();
  const [pods, setPods] = useState<Pod[]>();
  const [podsError, setPodsError] = useState<ApiError>();
  const [images, setImages] = useState<Fetched<HostImage[]>>({});
  const [ps, setPs] = useState<Fetched<RuntimePs>>({});
  const [loading, setLoading] = useState(false);
  const now = useNow();

  useEffect(
    () =>
      listWatch<NodeK>(
        '/api/v1/nodes',
        (items) => {
          setNodesError(undefined);
          setNodes(items.sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1)));
        },
        setNodesError,
      ),
    [],
  );
  useEffect(
    () =>
      listWatch<Pod>(
        '/api/v1/pods',
        (items) => {
          setPodsError(undefined);
          setPods(items);
        },
        setPodsError,
      ),
    [],
  );

  const refresh = useCallback((signal?: AbortSignal) => {
    setLoading(true);
    const asError = (e: unknown) => (e instanceof ApiError ? e : new ApiError(0, (e as Error).message));
    const im = getJson<{ items: HostImage[] }>('/peapod/v1/images', signal).then(
      (r) => setImages({ data: r.items }),
      (e: unknown) => {
        if ((e as Error).name !== 'AbortError') setImages({ error: asError(e) });
      },
    );
    const rt = getJson<RuntimePs>('/peapod/v1/runtime/ps', signal).then(
      (r) => setPs({ data: r }),
      (e: unknown) => {
        if ((e as Error).name !== 'AbortError') setPs({ error: asError(e) });
      },
    );
    void Promise.all([im, rt]).then(() => {
      if (!signal?.aborted) setLoading(false);
    });
  }, []);
  useEffect(() => {
    const ctl = new AbortController();
    refresh(ctl.signal);
    return () => ctl.abort();
  }, [refresh]);

  // The same elements while their data stays: the clock's tick (ages) does not re-diff these tables.
  const imagesTable = useMemo(() => (images.data ? <ImagesTable images={images.data} /> : null), [images.data]);
  const hostTable = useMemo(() => (ps.data ? <HostTable ps={ps.data} /> : null), [ps.data]);

  const countFor = (node: string) => (pods ? pods.filter((p) => !isTerminated(p) && (p.spec?.nodeName === node || (!p.spec?.nodeName && nodes?.length === 1))).length : undefined);

  return (
    <section data-testid="node" class="view">
      <h1>Node</h1>
      {nodesError && (
        <p class="error" role="alert">
          {nodesError.code === 403 ? 'Not allowed to read the node: ' : ''}
          {nodesError.message}
        </p>
      )}
      {nodes === undefined && !nodesError && <p class="muted">Loading…</p>}
      {nodes?.length === 0 && <p class="muted">The API lists no node.</p>}
      {nodes?.map((n) => (
        <NodeDetails key={n.metadata.name} node={n} podCount={countFor(n.metadata.name)} podsError={podsError} now={now} />
      ))}

      <div class="view-head section-head">
        <h2>On the host</h2>
        <button type="button" data-testid="node-refresh" onClick={() => refresh()} disabled={loading} aria-busy={loading ? 'true' : 'false'}>
          {loading ? 'Refreshing…' : 'Refresh'}
        </button>
        <span class="muted">images and the runtime’s sandboxes have no watch: read when this view opens and on Refresh</span>
      </div>

      <h3 id="node-images-title">Images</h3>
      {images.error ? <p class="note" data-testid="node-images-note">{problemNote('images', images.error)}</p> : imagesTable ?? <p class="muted">Loading…</p>}

      <h3 id="node-host-title">Sandboxes and containers</h3>
      {ps.error ? (
        <p class="note" data-testid="node-host-note">
          {problemNote('runtime’s sandboxes and containers', ps.error)}
        </p>
      ) : ps.data ? (
        ps.data.sandboxes.length || ps.data.containers.length ? (
          hostTable
        ) : (
          <>
            {hostTable}
            <p class="muted">No sandbox runs on this node.</p>
          </>
        )
      ) : (
        <p class="muted">Loading…</p>
      )}
    </section>
  );
}
