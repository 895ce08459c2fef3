// `runtime ps`: the runtime's view, like crictl/docker ps, grouped by pod: the infra container (POD)
// first, then the app containers, with the namespaces each holds (infra) or joins (an app whose
// namespace inode equals the infra's) — the sharing that makes a pod a pod.

import type { ContainerStatus, PodSandboxStatus } from '../../runtime/runtime.js';
import type { CliContext } from '../context.js';
import { formatRows } from '../printers/table.js';

export type Namespaces = Record<string, string>;
export interface RuntimePs {
  sandboxes: (PodSandboxStatus & { namespaces: Namespaces })[];
  containers: (ContainerStatus & { namespaces: Namespaces })[];
}

/** Namespace kinds a pod shares through its infra container. */
const SHARED_KINDS = ['net', 'ipc', 'uts', 'pid'];

const shortId = (id: string) => id.slice(0, 13);

function infraNamespaces(sb: PodSandboxStatus & { namespaces: Namespaces }, apps: { namespaces: Namespaces }[]): string {
  const held = SHARED_KINDS.filter((k) => sb.namespaces[k] && (k !== 'pid' || apps.some((a) => a.namespaces.pid === sb.namespaces.pid)));
  const kinds = sb.hostNetwork ? held.filter((k) => k !== 'net') : held;
  return kinds.length ? `holds ${kinds.join(',')}` : '-';
}

function appNamespaces(c: { namespaces: Namespaces }, sb: { namespaces: Namespaces } | undefined): string {
  const joins = SHARED_KINDS.filter((k) => sb && c.namespaces[k] && c.namespaces[k] === sb.namespaces[k]);
  const own = SHARED_KINDS.filter((k) => c.namespaces[k] && !joins.includes(k));
  const parts = [joins.length ? `joins ${joins.join(',')}` : '', own.length ? `own ${own.join(',')}` : ''].filter(Boolean);
  return parts.join('; ') || '-';
}

export function formatRuntimePs(ps: RuntimePs): string {
  const rows: string[][] = [];
  const sandboxes = [...ps.sandboxes].sort((a, b) =>
    `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`) || a.createdAt - b.createdAt,
  );
  const byName = (a: ContainerStatus, b: ContainerStatus) => a.createdAt - b.createdAt;
  for (const sb of sandboxes) {
    const apps = ps.containers.filter((c) => c.sandboxId === sb.id).sort(byName);
    const pod = `${sb.metadata.namespace}/${sb.metadata.name}`;
    rows.push([shortId(sb.id), pod, 'POD', sb.state, String(sb.pid || '-'), sb.ip ?? (sb.hostNetwork ? 'host' : '-'), infraNamespaces(sb, apps)]);
    for (const c of apps) {
      const state = c.state === 'exited' ? `exited (${c.exitCode})` : c.state;
      rows.push([shortId(c.id), pod, c.metadata.name, state, String(c.pid || '-'), '', appNamespaces(c, sb)]);
    }
  }
  const known = new Set(ps.sandboxes.map((s) => s.id));
  for (const c of ps.containers.filter((x) => !known.has(x.sandboxId)).sort(byName)) {
    rows.push([shortId(c.id), `<sandbox ${shortId(c.sandboxId)}>`, c.metadata.name, c.state, String(c.pid || '-'), '', appNamespaces(c, undefined)]);
  }
  return formatRows(['CONTAINER ID', 'POD', 'NAME', 'STATE', 'PID', 'IP', 'NAMESPACES'], rows);
}

export async function runRuntimePs(ctx: CliContext): Promise<void> {
  const api = await ctx.api();
  ctx.out(formatRuntimePs(await api.json<RuntimePs>('GET', '/peapod/v1/runtime/ps')));
}
