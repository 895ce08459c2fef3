// `anatomy POD [-o json|yaml|svg]`: the pod as the node really holds it (issue 16), read from the pod's
// anatomy subresource and drawn as a tree: the infra container and the namespaces it holds, the
// network (the veth pair, the gateway, host ports), each container with the namespaces it joins or
// owns, its probes, mounts and process tree, then the volumes and who mounts them. -o json/yaml print
// the PodAnatomy object as the daemon sent it, for scripts; -o svg the same anatomy drawn as a diagram.

import { cleanAnatomy } from '../../ui/anatomy-clean.js';
import { styleText } from 'node:util';
import { stringify as toYaml } from 'yaml';
import { KUBE_YAML } from '../../k8s/yaml-schema.js';
import {
  ANATOMY_KIND,
  type ContainerAnatomy,
  type ContainerNamespace,
  type InfraAnatomy,
  type NetworkAnatomy,
  type PodAnatomy,
  type ProcessNode,
  type VolumeAnatomy,
} from '../../node/anatomy-types.js';
import { anatomySvg } from '../../ui/anatomy-svg.js';
import { CliError, type CliContext } from '../context.js';
import { findResource, resourcePath } from '../resources.js';
import { ANATOMY_OUTPUTS } from '../printable.js';

export interface AnatomyOptions {
  output?: string;
}

export interface FormatAnatomyOptions {
  /** Colour the state words (ANSI); the caller decides (a terminal, no NO_COLOR). */
  color?: boolean;
}


type Color = 'green' | 'yellow' | 'red';

/** A cell of an aligned row: its text and, optionally, the colour of a state word. */
interface Cell {
  text: string;
  color?: Color;
}

interface TreeNode {
  line: string;
  children: TreeNode[];
}

/** Long runtime ids as docker shows them. */
const shortId = (id: string) => id.slice(0, 12);

const node = (line: string, children: TreeNode[] = []): TreeNode => ({ line, children });

class Painter {
  constructor(private readonly color: boolean) {}

  paint(c: Cell): string {
    return this.color && c.color ? styleText(c.color, c.text, { validateStream: false }) : c.text;
  }

  /** Cells joined by two spaces, empty ones left out. */
  join(cells: Cell[]): string {
    return cells.filter((c) => c.text).map((c) => this.paint(c)).join('  ');
  }

  /**
   * Rows whose columns line up (two spaces between columns; a column empty in every row takes no room).
   * Widths come from the plain text, so colour does not shift them.
   */
  align(rows: Cell[][]): string[] {
    const columns = Math.max(0, ...rows.map((r) => r.length));
    const widths: number[] = [];
    for (let i = 0; i < columns; i++) widths.push(Math.max(0, ...rows.map((r) => r[i]?.text.length ?? 0)));
    return rows.map((r) => {
      const last = r.reduce((k, c, i) => (c.text ? i : k), -1);
      let out = '';
      for (let i = 0; i <= last; i++) {
        if (widths[i] === 0) continue;
        const c = r[i] ?? { text: '' };
        out += this.paint(c) + (i < last ? ' '.repeat(widths[i] - c.text.length + 2) : '');
      }
      return out;
    });
  }
}

/** The tree's lines: the root as is, then each child behind ├─/└─, its subtree behind │/space. */
function render(root: TreeNode): string[] {
  const out = [root.line];
  const walk = (children: TreeNode[], prefix: string) => {
    children.forEach((c, i) => {
      const last = i === children.length - 1;
      out.push(`${prefix}${last ? '└─ ' : '├─ '}${c.line}`);
      walk(c.children, prefix + (last ? '   ' : '│  '));
    });
  };
  walk(root.children, '');
  return out;
}

function phaseColor(phase: string): Color | undefined {
  return phase === 'Running' ? 'green' : phase === 'Pending' ? 'yellow' : phase === 'Failed' ? 'red' : undefined;
}

function header(a: PodAnatomy, p: Painter): string {
  const { pod } = a;
  const uid = pod.uid.length > 8 ? `${pod.uid.slice(0, 8)}…` : pod.uid;
  return p.join([
    { text: `pod ${pod.namespace}/${pod.name}` },
    { text: pod.phase, color: phaseColor(pod.phase) },
    { text: pod.node ? `node ${pod.node}` : 'no node' },
    { text: pod.qosClass ?? '' },
    { text: `uid ${uid}` },
  ]);
}

function infraNode(infra: InfraAnatomy | undefined, phase: string, p: Painter): TreeNode {
  if (!infra) {
    const why = phase === 'Succeeded' || phase === 'Failed' ? `no sandbox (removed: the pod is ${phase})` : 'no sandbox yet';
    return node(`infra container  ${why}`);
  }
  const line = p.join([
    { text: `infra container ${shortId(infra.id)}` },
    { text: infra.command },
    { text: infra.pid > 0 ? `pid ${infra.pid}` : 'not running', color: infra.pid > 0 ? undefined : 'red' },
    { text: infra.state, color: infra.state === 'ready' ? 'green' : 'yellow' },
    { text: `created ${infra.createdAt}` },
  ]);
  const children: TreeNode[] = [];
  if (infra.held.length) {
    const rows = p.align(infra.held.map((h) => [{ text: h.inode }, { text: h.pinnedAt ? `pinned at ${h.pinnedAt}` : '' }]));
    children.push(node('holds', rows.map((r) => node(r))));
  } else {
    children.push(node('holds no namespace'));
  }
  if (infra.cgroup) children.push(node(`cgroup  ${infra.cgroup}`));
  return node(line, children);
}

function hostPortText(hp: NetworkAnatomy['hostPorts'][number]): string {
  return `${hp.hostIP && hp.hostIP !== '0.0.0.0' ? `${hp.hostIP}:` : ''}${hp.hostPort}/${hp.protocol} → ${hp.containerPort}`;
}

function networkNode(net: NetworkAnatomy, hasInfra: boolean, p: Painter): TreeNode {
  const rows: Cell[][] = [];
  let line: string;
  if (net.hostNetwork) {
    line = `network  host network: the node's interfaces${net.ips.length ? ` (${net.ips.join(', ')})` : ''}`;
  } else {
    line = `network  ${net.ips.length ? net.ips.join(', ') : 'no pod IP yet'}`;
    const pi = net.podInterface;
    const hi = net.hostInterface;
    if (pi) {
      rows.push([
        { text: 'in the pod' },
        { text: [pi.name, ...pi.addresses, pi.mac ? `mac ${pi.mac}` : '', pi.mtu ? `mtu ${pi.mtu}` : ''].filter(Boolean).join('  ') },
      ]);
    }
    if (hi) {
      const peer = pi ? ` ⇄ ${pi.name}` : '';
      rows.push([{ text: 'on the host' }, { text: `${hi.name}${peer}${hi.bridge ? `, on bridge ${hi.bridge}` : ', on no bridge'}` }]);
    }
    if (!pi && !hi && hasInfra) rows.push([{ text: 'veth pair' }, { text: 'not known (the pod\'s network namespace was not read)' }]);
    if (net.gateway) rows.push([{ text: 'gateway' }, { text: net.gateway }]);
  }
  for (const hp of net.hostPorts) rows.push([{ text: 'host port' }, { text: hostPortText(hp) }]);
  return node(line, p.align(rows).map((r) => node(r)));
}

function stateCell(c: ContainerAnatomy): Cell {
  if (c.state === 'running') return { text: 'running', color: 'green' };
  const why = [c.reason ?? '', c.exitCode !== undefined && c.state === 'terminated' ? `exit ${c.exitCode}` : ''].filter(Boolean).join(', ');
  const text = why ? `${c.state} (${why})` : c.state;
  if (c.state === 'waiting') return { text, color: c.reason === 'CrashLoopBackOff' || c.reason?.startsWith('Err') ? 'red' : 'yellow' };
  return { text, color: c.exitCode === 0 ? undefined : 'red' };
}

/** joins: a namespace the infra container holds for the pod; the host's: the node's own (hostNetwork's net and uts...); own: any other. */
function namespacesText(nss: ContainerNamespace[]): string {
  const joins = nss.filter((n) => n.from === 'infra').map((n) => n.kind);
  const own = nss.filter((n) => n.from === 'own').map((n) => n.kind);
  const host = nss.filter((n) => n.from === 'host').map((n) => n.kind);
  const shared = nss.filter((n) => n.from === 'container').map((n) => `${n.kind} of ${n.container ?? '?'}`);
  return [joins.length ? `joins ${joins.join(', ')}` : '', shared.length ? `shares ${shared.join(', ')}` : '', own.length ? `own ${own.join(', ')}` : '', host.length ? `the host's ${host.join(', ')}` : '']
    .filter(Boolean)
    .join(' · ');
}

/** A command line on one line, cut at 120 characters. */
export function oneLine(s: string): string {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? `${flat.slice(0, 119)}…` : flat;
}

function processNodes(ps: ProcessNode[]): TreeNode[] {
  // One line each: a command line's newlines and runs of blanks (a shell script in argv) read as one space.
  return ps.map((x) => node(`${x.pid} ${oneLine(x.command)}`, processNodes(x.children)));
}

function containerChildren(c: ContainerAnatomy, a: PodAnatomy, p: Painter): TreeNode[] {
  const out: TreeNode[] = [node(`image  ${c.image}${c.id ? `  id ${shortId(c.id)}` : ''}`)];
  if (c.namespaces.length) out.push(node(`namespaces  ${namespacesText(c.namespaces)}`));
  if (c.probes.length) {
    const rows = p.align(
      c.probes.map((pr) => [
        { text: pr.type },
        { text: pr.handler },
        { text: `every ${pr.periodSeconds}s` },
        pr.lastResult
          ? { text: `→ ${pr.lastResult}`, color: pr.lastResult === 'success' ? 'green' : pr.lastResult === 'failure' ? 'red' : 'yellow' }
          : { text: '' },
      ]),
    );
    out.push(node('probes', rows.map((r) => node(r))));
  }
  if (c.mounts.length) {
    const rows = p.align(
      c.mounts.map((m) => {
        if (m.volume === undefined) return [{ text: m.path }, { text: m.readOnly ? 'ro' : 'rw' }, { text: `← ${m.hostSource ?? 'the runtime'}` }];
        // The volume's host dir is drawn under volumes; a mount's own source only where it differs (a subPath, a claim's directory).
        const dir = a.volumes.find((v) => v.name === m.volume)?.hostSource;
        return [
          { text: m.path },
          { text: m.readOnly ? 'ro' : 'rw' },
          { text: `← volume ${m.volume}${m.subPath ? `, subPath ${m.subPath}` : ''}` },
          { text: m.hostSource && m.hostSource !== dir ? m.hostSource : '' },
        ];
      }),
    );
    out.push(node('mounts', rows.map((r) => node(r))));
  }
  const omitted = c.processesOmitted ? [node(`… and ${c.processesOmitted} more`)] : [];
  if (c.pid > 0) out.push(node('processes', c.processes.length ? [...processNodes(c.processes), ...omitted] : [node('none found')]));
  return out;
}

function containersNode(a: PodAnatomy, p: Painter): TreeNode {
  if (a.containers.length === 0) return node('containers  none');
  const rows = p.align(
    a.containers.map((c) => {
      const readiness = c.kind === 'app' || c.kind === 'sidecar';
      return [
        { text: c.kind },
        { text: c.name },
        stateCell(c),
        c.pid > 0 ? { text: `pid ${c.pid}` } : { text: 'not running' },
        { text: `restarts ${c.restartCount}`, color: c.restartCount > 0 ? ('yellow' as const) : undefined },
        readiness ? { text: c.ready ? 'ready' : 'not ready', color: c.ready ? ('green' as const) : ('yellow' as const) } : { text: '' },
      ];
    }),
  );
  return node('containers', a.containers.map((c, i) => node(rows[i], containerChildren(c, a, p))));
}

function volumesNode(vols: VolumeAnatomy[], p: Painter): TreeNode {
  if (vols.length === 0) return node('volumes  none');
  const rows = p.align(vols.map((v) => [{ text: v.name }, { text: v.detail ? `${v.kind} (${v.detail})` : v.kind }, { text: v.hostSource ?? '' }]));
  return node(
    'volumes',
    vols.map((v, i) => {
      if (v.mountedBy.length === 0) return node(rows[i], [node('mounted by no container')]);
      const by = p.align(
        v.mountedBy.map((m) => [{ text: m.container }, { text: m.path }, { text: `(${m.readOnly ? 'ro' : 'rw'}${m.subPath ? `, subPath ${m.subPath}` : ''})` }]),
      );
      return node(rows[i], by.map((r) => node(r)));
    }),
  );
}

/** The anatomy as a tree for the terminal (no trailing newline). Pure: colour only when asked. */
export function formatAnatomy(raw: PodAnatomy, opts: FormatAnatomyOptions = {}): string {
  // What the pod wrote (command lines, names) reaches the terminal one line each, without its escapes.
  const a = cleanAnatomy(raw);
  const p = new Painter(opts.color === true);
  const root = node(header(a, p), [
    infraNode(a.infra, a.pod.phase, p),
    networkNode(a.network, a.infra !== undefined, p),
    containersNode(a, p),
    volumesNode(a.volumes, p),
  ]);
  return render(root).join('\n');
}

export async function runAnatomy(ctx: CliContext, name: string, opts: AnatomyOptions = {}): Promise<void> {
  const format = opts.output ?? '';
  if (format !== '' && !ANATOMY_OUTPUTS.includes(format)) {
    throw new CliError(`error: unable to match a printer suitable for the output format "${format}", allowed formats are: ${ANATOMY_OUTPUTS.join(',')}`);
  }
  const api = await ctx.api();
  const ns = await ctx.namespace();
  const a = await api.json<PodAnatomy>('GET', resourcePath(findResource('pods'), ns, name, 'anatomy'));
  if (a?.kind !== ANATOMY_KIND) {
    throw new CliError(`error: the server answered ${a?.kind ? `a ${a.kind}` : 'something'} where a ${ANATOMY_KIND} was expected: is the daemon older than this CLI?`);
  }
  if (format === 'json') return ctx.out(JSON.stringify(a, null, 2));
  if (format === 'yaml') return ctx.out(toYaml(a, KUBE_YAML).trimEnd());
  if (format === 'svg') return ctx.out(anatomySvg(a));
  const env = ctx.io.env;
  ctx.out(formatAnatomy(a, { color: ctx.io.terminal !== undefined && !env.NO_COLOR && env.TERM !== 'dumb' }));
}
