// A pod's anatomy drawn as an SVG diagram (issue 16), the way the Kubernetes pod pictures do: the pod as a
// large rounded box; the infra ("pause") container on the left holding the pod's namespaces, each held
// namespace a band that every container joined to it is wired to; one box per container; the network at the
// pod's top edge (eth0 inside, the host's veth and bridge outside, host ports as arrows in); the volumes at the
// bottom, each wired to the containers that mount it. Pure and deterministic: a string from the model, no
// Node import (the dashboard will bundle it for the browser), no external fonts or resources.

import { cleanAnatomy } from './anatomy-clean.js';
import type { ContainerAnatomy, HeldNamespace, PodAnatomy, VolumeAnatomy } from '../node/anatomy-types.js';

export interface AnatomySvgOptions {
  /** The drawing's width in px (960 by default); it grows when the content needs more room. */
  width?: number;
}

const DEFAULT_WIDTH = 960;
const MARGIN = 16;
const PAD = 16;
const LINE = 16;
const FONT = 12;
const SMALL = 11;
/** A generous average glyph width for system-ui at 12px, so text estimated to fit does fit. */
const CHAR = 0.56;
const INFRA_W = 170;
const RAIL_STEP = 24;
const RAIL_W = 10;
const BADGE_COL = 48;
const CONTAINER_MIN_W = 260;
const LABEL_W = 140;
const LANE_STEP = 10;
const VOLUME_W = 164;
const VOLUME_H = 72;
const HOST_BOX_W = 180;
const PORT_STEP = 160;

/** Ink and fill: every text colour here is at least 7:1 on the fills it sits on (WCAG AA asks 4.5:1). */
const INK = '#1a1a1a';
const MUTED = '#3f3f3f';
const NS_COLORS: Record<string, { fill: string; stroke: string }> = {
  net: { fill: '#cfe3f7', stroke: '#1f5f9e' },
  ipc: { fill: '#f7e3c4', stroke: '#8a5200' },
  uts: { fill: '#d7f0d2', stroke: '#2e6b31' },
  pid: { fill: '#f3d6e6', stroke: '#8e2a60' },
};
const NS_OTHER = { fill: '#e4e4e4', stroke: '#505050' };
const KIND_STYLE: Record<ContainerAnatomy['kind'], { stroke: string; width: number; label: string; rx: number }> = {
  app: { stroke: '#1f4e79', width: 2.5, label: 'APP', rx: 6 },
  sidecar: { stroke: '#00695c', width: 1.5, label: 'SIDECAR', rx: 6 },
  init: { stroke: '#5e35b1', width: 1.5, label: 'INIT', rx: 2 },
  ephemeral: { stroke: '#9a3d00', width: 1.5, label: 'EPHEMERAL', rx: 14 },
};
const VOLUME_STROKE = '#7a5c00';

/** Text for XML: element content and attribute values alike. */
export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] as string);
}

/** At most max characters: the middle replaced by an ellipsis (paths keep their start and their end). */
export function shortenMiddle(s: string, max: number): string {
  if (s.length <= max) return s;
  if (max <= 1) return '…';
  const head = Math.ceil((max - 1) / 2);
  return `${s.slice(0, head)}…${s.slice(s.length - (max - 1 - head))}`;
}

/** At most max characters, cut at the end. */
function shortenEnd(s: string, max: number): string {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, Math.max(0, max - 1))}…`;
}

const fits = (px: number, size = FONT) => Math.max(4, Math.floor(px / (size * CHAR)));
const num = (n: number) => String(Math.round(n * 10) / 10);
const shortId = (id: string) => id.slice(0, 12);

/** An id prefix from the pod's uid (or name) that is a valid XML name, so two diagrams on one page do not clash. */
function idPrefix(a: PodAnatomy): string {
  const base = (a.pod.uid || `${a.pod.namespace}-${a.pod.name}`).replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 40);
  return `anatomy-${base}`;
}

type Attrs = Record<string, string | number | undefined>;

function attrs(a: Attrs): string {
  return Object.entries(a)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${escapeXml(typeof v === 'number' ? num(v) : v as string)}"`)
    .join('');
}

const el = (name: string, a: Attrs, children?: string) => (children === undefined ? `<${name}${attrs(a)}/>` : `<${name}${attrs(a)}>${children}</${name}>`);
const title = (t: string) => `<title>${escapeXml(t)}</title>`;

/** A text; its colour an attribute of its own (a stylesheet rule would override every presentation attribute). */
function text(x: number, y: number, s: string, a: Attrs = {}): string {
  return el('text', { x, y, fill: INK, ...a }, escapeXml(s));
}

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

function stateWords(c: ContainerAnatomy): string {
  const why = [c.reason ?? '', c.state === 'terminated' && c.exitCode !== undefined ? `exit ${c.exitCode}` : ''].filter(Boolean).join(', ');
  return why ? `${c.state} (${why})` : c.state;
}

function describe(a: PodAnatomy): string {
  const { pod } = a;
  const held = a.infra?.held.map((h) => h.kind) ?? [];
  const infra = a.infra ? (held.length ? `infra container holding ${held.join(', ')}` : 'infra container holding no namespace') : 'no infra container yet';
  const n = a.containers.length;
  const v = a.volumes.length;
  const net = a.network.hostNetwork ? 'host network' : a.network.ips.length ? `IP ${a.network.ips.join(', ')}` : 'no pod IP yet';
  return `Pod ${pod.namespace}/${pod.name} (${pod.phase}): ${infra}; ${n} container${n === 1 ? '' : 's'}; ${v} volume${v === 1 ? '' : 's'}; ${net}.`;
}

function cylinder(b: Box): string {
  const ry = 7;
  const { x, y, w, h } = b;
  const r = w / 2;
  return (
    el('path', {
      d: `M${num(x)} ${num(y + ry)} A${num(r)} ${ry} 0 0 1 ${num(x + w)} ${num(y + ry)} V${num(y + h - ry)} A${num(r)} ${ry} 0 0 1 ${num(x)} ${num(y + h - ry)} Z`,
      fill: '#fff6d9',
      stroke: VOLUME_STROKE,
      'stroke-width': 1.5,
    }) + el('path', { d: `M${num(x)} ${num(y + ry)} A${num(r)} ${ry} 0 0 0 ${num(x + w)} ${num(y + ry)}`, fill: 'none', stroke: VOLUME_STROKE, 'stroke-width': 1.5 })
  );
}

/** One container's text lines (besides its name line), cut to fit the box. */
function containerLines(c: ContainerAnatomy, chars: number): { s: string; muted?: boolean }[] {
  const out: { s: string; muted?: boolean }[] = [];
  const run = c.pid > 0 ? `pid ${c.pid}` : 'not running';
  const ready = c.kind === 'app' || c.kind === 'sidecar' ? (c.ready ? 'ready' : 'not ready') : '';
  out.push({ s: shortenEnd([stateWords(c), run, `restarts ${c.restartCount}`, ready].filter(Boolean).join(' · '), chars) });
  out.push({ s: shortenMiddle(`image ${c.image}${c.id ? ` · id ${shortId(c.id)}` : ''}`, chars), muted: true });
  const own = c.namespaces.filter((n) => n.from === 'own').map((n) => n.kind);
  const host = c.namespaces.filter((n) => n.from === 'host').map((n) => n.kind);
  if (own.length) out.push({ s: shortenEnd(`own namespaces: ${own.join(' ')}`, chars) });
  if (host.length) out.push({ s: shortenEnd(`the host's namespaces: ${host.join(' ')}`, chars) });
  const shared = c.namespaces.filter((n) => n.from === 'container').map((n) => `${n.kind} of ${n.container ?? '?'}`);
  if (shared.length) out.push({ s: shortenEnd(`shares ${shared.join(', ')}`, chars) });
  for (const p of c.probes) {
    out.push({ s: shortenEnd(`${p.type} ${p.handler} every ${p.periodSeconds}s${p.lastResult ? ` → ${p.lastResult}` : ''}`, chars), muted: true });
  }
  const count = (ps: ContainerAnatomy['processes']): number => ps.reduce((k, p) => k + 1 + count(p.children), 0);
  const root = c.processes[0];
  if (root) {
    const more = count(c.processes) - 1;
    out.push({ s: shortenEnd(`${root.pid} ${root.command}${more > 0 ? ` (+${more} more)` : ''}`, chars), muted: true });
  }
  return out;
}

/** The anatomy as a standalone SVG document (no trailing newline). Pure and deterministic. */
export function anatomySvg(raw: PodAnatomy, opts: AnatomySvgOptions = {}): string {
  // Control characters are not allowed in XML: every text the pod wrote is made printable first.
  const a = cleanAnatomy(raw);
  const p = idPrefix(a);
  const held: HeldNamespace[] = a.infra?.held ?? [];
  const R = held.length;
  const V = a.volumes.length;
  const net = a.network;

  // Horizontal layout: pod box, inside it infra | namespace bands | containers | mount labels | volume lanes.
  const railsX0 = MARGIN + PAD + INFRA_W + 20;
  const containersX = railsX0 + R * RAIL_STEP + (R ? 10 : 0);
  const lanesW = V * LANE_STEP + 12;
  const minWidth = containersX + CONTAINER_MIN_W + LABEL_W + lanesW + PAD + MARGIN;
  const asked = opts.width !== undefined && Number.isFinite(opts.width) ? opts.width : DEFAULT_WIDTH;
  const W = Math.max(minWidth, Math.round(asked));
  const podX = MARGIN;
  const podW = W - 2 * MARGIN;
  const podRight = podX + podW;
  const cRight = podRight - PAD - lanesW - LABEL_W;
  const cW = cRight - containersX;
  const laneX = (i: number) => cRight + LABEL_W + 6 + i * LANE_STEP;
  const railX = (k: number) => railsX0 + (R - 1 - k) * RAIL_STEP + RAIL_W / 2;

  // Vertical: the host's strip (bridge, veth, host ports), then the pod.
  const hostY = MARGIN;
  const podY = hostY + 104;
  const contentY = podY + 64;
  const parts: string[] = [];
  const defs: string[] = [];
  const arrowId = `${p}-arrow`;
  defs.push(
    el('marker', { id: arrowId, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, el('path', { d: 'M0 0 L10 5 L0 10 Z', fill: '#222222' })),
  );

  // Infra container.
  const infraBox: Box = { x: podX + PAD, y: contentY, w: INFRA_W, h: 0 };
  const badgeY = (k: number) => infraBox.y + 92 + k * 24;
  const infraParts: string[] = [];
  if (a.infra) {
    const inf = a.infra;
    infraBox.h = 92 + Math.max(1, R) * 24 + 6;
    const running = inf.pid > 0;
    infraParts.push(
      el('rect', { x: infraBox.x, y: infraBox.y, width: infraBox.w, height: infraBox.h, rx: 6, fill: '#eef1f4', stroke: '#4a5560', 'stroke-width': 2, 'stroke-dasharray': running ? undefined : '6 4', class: 'infra-box' }),
      text(infraBox.x + 10, infraBox.y + 20, 'infra (pause)', { 'font-weight': 'bold' }),
      text(infraBox.x + 10, infraBox.y + 20 + LINE, `id ${shortId(inf.id)}`, { fill: MUTED }),
      text(infraBox.x + 10, infraBox.y + 20 + 2 * LINE, shortenEnd(`${running ? `pid ${inf.pid}` : 'not running'} · ${inf.state}`, fits(INFRA_W - 20)), {}),
      text(infraBox.x + 10, infraBox.y + 20 + 3 * LINE, shortenEnd(inf.command, fits(INFRA_W - 20)), { fill: MUTED }),
    );
    if (R === 0) infraParts.push(text(infraBox.x + 10, badgeY(0) + 4, 'holds no namespace', { fill: MUTED }));
    held.forEach((h, k) => {
      const c = NS_COLORS[h.kind] ?? NS_OTHER;
      const by = badgeY(k);
      infraParts.push(
        el(
          'g',
          { class: 'held', 'data-ns': h.kind },
          title(`${h.inode}${h.pinnedAt ? ` pinned at ${h.pinnedAt}` : ''}`) +
            el('rect', { x: infraBox.x + 10, y: by - 9, width: INFRA_W - 20, height: 18, rx: 9, fill: c.fill, stroke: c.stroke }) +
            text(infraBox.x + 18, by + 4, shortenEnd(`${h.kind}  ${h.inode.replace(/^[a-z]+:/, '')}`, fits(INFRA_W - 36, SMALL)), { 'font-size': SMALL }),
        ),
      );
    });
    infraParts.unshift(title(`infra (pause) container ${shortId(inf.id)}: ${inf.command}, ${running ? `pid ${inf.pid}` : 'not running'}, ${inf.state}, created ${inf.createdAt}; holds ${held.map((h) => h.kind).join(', ') || 'no namespace'}${inf.cgroup ? `; cgroup ${inf.cgroup}` : ''}`));
  } else {
    infraBox.h = 78;
    const why = a.pod.phase === 'Succeeded' || a.pod.phase === 'Failed' ? `removed (pod ${a.pod.phase})` : 'no sandbox yet';
    infraParts.push(
      title(`infra (pause) container: ${why}`),
      el('rect', { x: infraBox.x, y: infraBox.y, width: infraBox.w, height: infraBox.h, rx: 6, fill: '#f7f7f7', stroke: '#4a5560', 'stroke-width': 2, 'stroke-dasharray': '6 4', class: 'infra-box' }),
      text(infraBox.x + 10, infraBox.y + 20, 'infra (pause)', { 'font-weight': 'bold' }),
      text(infraBox.x + 10, infraBox.y + 20 + LINE, why, { fill: MUTED }),
    );
  }
  parts.push(el('g', { id: `${p}-infra`, class: 'infra' }, infraParts.join('')));

  // Containers: one column of boxes, joined-namespace badges on the left edge, mount stubs on the right.
  const heldIndex = new Map(held.map((h, k) => [h.kind, k]));
  const chars = fits(cW - BADGE_COL - 10);
  const mountsOf = (name: string) => a.volumes.flatMap((v, vi) => v.mountedBy.filter((m) => m.container === name).map((m) => ({ v, vi, m })));
  const boxes: Box[] = [];
  const stubs: { vi: number; y: number; label: string; full: string; container: string; path: string; readOnly: boolean; v: VolumeAnatomy }[] = [];
  const railPoints: number[][] = held.map((_, k) => [badgeY(k)]);
  const joins: string[] = [];
  let y = contentY;
  a.containers.forEach((c, ci) => {
    const lines = containerLines(c, chars);
    const mounts = mountsOf(c.name);
    const h = 12 + Math.max((lines.length + 1) * LINE, R * 20 + 4, mounts.length * LINE + 4) + 6;
    const b: Box = { x: containersX, y, w: cW, h };
    boxes.push(b);
    const st = KIND_STYLE[c.kind] ?? KIND_STYLE.app;
    const running = c.state === 'running' && c.pid > 0;
    const g: string[] = [
      title(`${c.kind} container ${c.name}: ${stateWords(c)}, ${c.pid > 0 ? `pid ${c.pid}` : 'not running'}, restarts ${c.restartCount}; image ${c.image}`),
      el('rect', { x: b.x, y: b.y, width: b.w, height: b.h, rx: st.rx, fill: '#ffffff', stroke: st.stroke, 'stroke-width': st.width, 'stroke-dasharray': running ? undefined : '7 4', class: 'container-box' }),
    ];
    if (c.kind === 'sidecar') g.push(el('rect', { x: b.x + 3, y: b.y + 3, width: b.w - 6, height: b.h - 6, rx: st.rx - 2, fill: 'none', stroke: st.stroke, 'stroke-width': 1, 'stroke-dasharray': running ? undefined : '7 4' }));
    const tx = b.x + BADGE_COL;
    const labelW = st.label.length * 7 + 12;
    g.push(
      el('rect', { x: tx, y: b.y + 8, width: labelW, height: 16, rx: 3, fill: st.stroke }),
      text(tx + 6, b.y + 20, st.label, { 'font-size': 10, 'font-weight': 'bold', fill: '#ffffff', 'letter-spacing': 0.5 }),
      text(tx + labelW + 8, b.y + 21, shortenEnd(c.name, fits(cW - BADGE_COL - labelW - 18) ), { 'font-weight': 'bold', class: 'container-name' }),
    );
    lines.forEach((l, i) => g.push(text(tx, b.y + 21 + (i + 1) * LINE, l.s, l.muted ? { fill: MUTED } : {})));
    // Joined namespaces: a badge per held one, wired to that namespace's band.
    for (const n of c.namespaces) {
      if (n.from !== 'infra') continue;
      const k = heldIndex.get(n.kind);
      if (k === undefined) continue;
      const col = NS_COLORS[n.kind] ?? NS_OTHER;
      const jy = b.y + 14 + k * 20;
      railPoints[k].push(jy);
      g.push(
        el('rect', { x: b.x + 6, y: jy - 8, width: 34, height: 16, rx: 8, fill: col.fill, stroke: col.stroke, class: 'joined-badge', 'data-ns': n.kind }),
        text(b.x + 23, jy + 4, n.kind, { 'font-size': SMALL, 'text-anchor': 'middle' }),
      );
      joins.push(
        el('line', { x1: railX(k), y1: jy, x2: b.x + 6, y2: jy, stroke: col.stroke, 'stroke-width': 2, class: 'joins', 'data-joins': n.kind, 'data-container': c.name }) +
          el('circle', { cx: railX(k), cy: jy, r: 3.5, fill: col.stroke }),
      );
    }
    mounts.forEach(({ v, vi, m }, j) => {
      const full = `${m.path}${m.readOnly ? ' ro' : ''}${m.subPath ? ` (subPath ${m.subPath})` : ''}`;
      const label = `${shortenMiddle(m.path, fits(LABEL_W - 26, SMALL) - (m.readOnly ? 3 : 0))}${m.readOnly ? ' ro' : ''}`;
      stubs.push({ vi, y: b.y + 16 + j * LINE, label, full, container: c.name, path: m.path, readOnly: m.readOnly, v });
    });
    parts.push(el('g', { id: `${p}-c${ci}`, class: `container kind-${c.kind} state-${c.state}`, 'data-name': c.name, 'data-kind': c.kind }, g.join('')));
    y += h + 12;
  });
  if (a.containers.length === 0) {
    boxes.length = 0;
    parts.push(text(containersX, contentY + 20, 'no containers', { fill: MUTED }));
    y = contentY + 32;
  }
  const contentBottom = Math.max(y - 12, infraBox.y + infraBox.h);

  // The held namespaces' bands, from the infra's badge down past the last container joined to each.
  const bands: string[] = [];
  held.forEach((h, k) => {
    const col = NS_COLORS[h.kind] ?? NS_OTHER;
    const pts = railPoints[k];
    const top = Math.min(...pts) - 8;
    const bottom = Math.max(...pts) + 8;
    const x = railX(k);
    bands.push(
      el(
        'g',
        { class: 'ns-band', 'data-ns': h.kind },
        title(`the pod's ${h.kind} namespace (${h.inode}), held by the infra container; ${pts.length - 1} container(s) joined`) +
          el('rect', { x: x - RAIL_W / 2, y: top, width: RAIL_W, height: bottom - top, rx: 4, fill: col.fill, stroke: col.stroke }) +
          el('line', { x1: infraBox.x + INFRA_W - 10, y1: badgeY(k), x2: x, y2: badgeY(k), stroke: col.stroke, 'stroke-width': 2 }) +
          el('circle', { cx: x, cy: badgeY(k), r: 3.5, fill: col.stroke }) +
          text(x, bottom + 12, h.kind, { 'font-size': 10, 'text-anchor': 'middle' }),
      ),
    );
  });
  const bandsBottom = held.length ? Math.max(...railPoints.map((pts) => Math.max(...pts))) + 8 + 14 : 0;

  // Volumes along the bottom, each wired to the containers that mount it through its own lane on the right.
  const busTop = Math.max(contentBottom, bandsBottom) + 14;
  const busY = (i: number) => busTop + i * 8;
  const volTop = busTop + V * 8 + 10;
  const innerW = podW - 2 * PAD;
  const perRow = Math.max(1, Math.floor((innerW + 14) / (VOLUME_W + 14)));
  const volBoxes: Box[] = a.volumes.map((_, i) => ({
    x: podX + PAD + (i % perRow) * (VOLUME_W + 14),
    y: volTop + Math.floor(i / perRow) * (VOLUME_H + 16),
    w: VOLUME_W,
    h: VOLUME_H,
  }));
  const vchars = fits(VOLUME_W - 16, SMALL);
  a.volumes.forEach((v, i) => {
    const b = volBoxes[i];
    const kind = v.detail ? `${v.kind} (${v.detail})` : v.kind;
    parts.push(
      el(
        'g',
        { id: `${p}-v${i}`, class: 'volume', 'data-name': v.name },
        title(`volume ${v.name}: ${kind}${v.hostSource ? `, ${v.hostSource}` : ''}; mounted by ${v.mountedBy.map((m) => m.container).join(', ') || 'no container'}`) +
          cylinder(b) +
          text(b.x + 8, b.y + 30, shortenEnd(v.name, fits(VOLUME_W - 16)), { 'font-weight': 'bold' }) +
          text(b.x + 8, b.y + 30 + 14, shortenEnd(kind, vchars), { 'font-size': SMALL }) +
          (v.hostSource
            ? el('text', { x: b.x + 8, y: b.y + 30 + 28, 'font-size': SMALL, fill: MUTED, class: 'host-dir' }, title(v.hostSource) + escapeXml(shortenMiddle(v.hostSource, vchars)))
            : text(b.x + 8, b.y + 30 + 28, v.mountedBy.length ? 'no host dir' : 'mounted by no container', { 'font-size': SMALL, fill: MUTED })),
      ),
    );
  });
  const wires: string[] = [];
  stubs.forEach((s) => {
    const b = volBoxes[s.vi];
    const row = Math.floor(s.vi / perRow);
    const lx = laneX(s.vi);
    // Row 0 leaves from the cylinder's top; a lower row from its left side, up the gap between columns.
    const start =
      row === 0
        ? `M${num(b.x + b.w / 2)} ${num(b.y + 2)} V${num(busY(s.vi))}`
        : `M${num(b.x)} ${num(b.y + b.h / 2)} H${num(b.x - 7)} V${num(busY(s.vi))}`;
    wires.push(
      el(
        'g',
        { class: 'mount', 'data-volume': s.v.name, 'data-container': s.container, 'data-path': s.path, 'data-ro': s.readOnly ? 'true' : 'false' },
        title(`${s.container} mounts volume ${s.v.name} at ${s.full}`) +
          el('path', { d: `${start} H${num(lx)} V${num(s.y)} H${num(cRight + 1)}`, fill: 'none', stroke: VOLUME_STROKE, 'stroke-width': 1.5, 'stroke-dasharray': s.readOnly ? '4 3' : undefined, 'marker-end': `url(#${arrowId})` }) +
          text(cRight + 8, s.y - 4, s.label, { 'font-size': SMALL, class: 'mount-label' }),
      ),
    );
  });
  const lastVol = volBoxes.at(-1);
  const podBottom = (lastVol ? lastVol.y + lastVol.h : volTop - 10) + PAD;
  const podH = podBottom - podY;

  // The pod's frame and title.
  const eth0W = HOST_BOX_W;
  const netX = podRight - PAD - eth0W;
  const phaseLine = [a.pod.phase, net.hostNetwork ? 'host network' : net.ips.join(', ') || 'no pod IP yet', a.pod.node ? `node ${a.pod.node}` : 'no node', a.pod.qosClass ?? '']
    .filter(Boolean)
    .join(' · ');
  const titleChars = fits(netX - podX - 2 * PAD - 8, 15);
  const frame =
    el('rect', { id: `${p}-pod`, class: 'pod', x: podX, y: podY, width: podW, height: podH, rx: 18, fill: '#f5f8fc', stroke: '#2b4a6f', 'stroke-width': 2 }) +
    text(podX + PAD, podY + 24, shortenEnd(`Pod ${a.pod.namespace}/${a.pod.name}`, titleChars), { 'font-size': 15, 'font-weight': 'bold', class: 'pod-title' }) +
    text(podX + PAD, podY + 44, shortenEnd(phaseLine, fits(netX - podX - 2 * PAD - 8)), { fill: MUTED });

  // The network at the pod's top edge: eth0 inside, the veth and its bridge on the host, host ports coming in.
  const netParts: string[] = [text(MARGIN, hostY + 12, shortenEnd(`host${a.pod.node ? ` (node ${a.pod.node})` : ''}`, 40), { 'font-size': SMALL, fill: MUTED })];
  if (net.hostNetwork) {
    netParts.push(
      el(
        'g',
        { class: 'host-network' },
        title("hostNetwork: the pod's containers use the node's own network namespace and interfaces") +
          el('rect', { x: netX, y: podY - 14, width: eth0W, height: 28, rx: 14, fill: '#ffffff', stroke: '#1f5f9e', 'stroke-width': 2 }) +
          text(netX + eth0W / 2, podY + 4, 'host network', { 'text-anchor': 'middle', 'font-weight': 'bold' }) +
          text(podRight, hostY + 40, shortenEnd(`the node's interfaces${net.ips.length ? `: ${net.ips.join(', ')}` : ''}`, fits(eth0W + 100, SMALL)), { 'text-anchor': 'end', 'font-size': SMALL }),
      ),
    );
  } else {
    const pi = net.podInterface;
    const hi = net.hostInterface;
    const midX = netX + eth0W / 2;
    const ethBox: Box = { x: netX, y: podY + 10, w: eth0W, h: 40 };
    const vethBox: Box = { x: netX, y: hostY + 56, w: eth0W, h: 26 };
    const bridgeBox: Box = { x: netX, y: hostY + 18, w: eth0W, h: 26 };
    if (pi) {
      netParts.push(
        el(
          'g',
          { class: 'eth0' },
          title(`${pi.name} in the pod's network namespace: ${pi.addresses.join(', ') || 'no address'}${pi.mac ? `, mac ${pi.mac}` : ''}${pi.mtu ? `, mtu ${pi.mtu}` : ''}${net.gateway ? `, gateway ${net.gateway}` : ''}`) +
            el('rect', { x: ethBox.x, y: ethBox.y, width: ethBox.w, height: ethBox.h, rx: 6, fill: '#ffffff', stroke: '#1f5f9e', 'stroke-width': 2 }) +
            text(ethBox.x + 8, ethBox.y + 16, shortenEnd(`${pi.name}  ${pi.addresses.join(', ') || net.ips.join(', ')}`, fits(eth0W - 16)), { 'font-weight': 'bold' }) +
            text(ethBox.x + 8, ethBox.y + 32, shortenEnd([net.gateway ? `gw ${net.gateway}` : '', pi.mtu ? `mtu ${pi.mtu}` : ''].filter(Boolean).join(' · ') || 'pod side of the veth pair', fits(eth0W - 16, SMALL)), { 'font-size': SMALL, fill: MUTED }),
        ),
      );
    } else {
      netParts.push(text(netX, podY + 26, shortenEnd(net.ips.length ? `IP ${net.ips.join(', ')}` : 'no pod IP yet', fits(eth0W)), { class: 'eth0-missing' }));
    }
    if (hi) {
      netParts.push(
        el(
          'g',
          { class: 'veth' },
          title(`${hi.name}: the host's side of the veth pair${pi ? ` (peer of ${pi.name})` : ''}${hi.bridge ? `, on bridge ${hi.bridge}` : ', on no bridge'}`) +
            el('line', { x1: midX, y1: vethBox.y + vethBox.h, x2: midX, y2: pi ? ethBox.y : podY, stroke: '#1f5f9e', 'stroke-width': 2.5, class: 'veth-link' }) +
            el('rect', { x: vethBox.x, y: vethBox.y, width: vethBox.w, height: vethBox.h, rx: 4, fill: '#ffffff', stroke: '#1f5f9e', 'stroke-width': 1.5 }) +
            text(vethBox.x + 8, vethBox.y + 17, shortenEnd(`veth ${hi.name}`, fits(eth0W - 16)), { class: 'veth-name' }),
        ),
      );
      if (hi.bridge) {
        netParts.push(
          el(
            'g',
            { class: 'bridge' },
            title(`bridge ${hi.bridge} on the host`) +
              el('line', { x1: midX, y1: bridgeBox.y + bridgeBox.h, x2: midX, y2: vethBox.y, stroke: '#1f5f9e', 'stroke-width': 2.5 }) +
              el('rect', { x: bridgeBox.x, y: bridgeBox.y, width: bridgeBox.w, height: bridgeBox.h, rx: 4, fill: '#e3eefa', stroke: '#1f5f9e', 'stroke-width': 1.5 }) +
              text(bridgeBox.x + 8, bridgeBox.y + 17, shortenEnd(`bridge ${hi.bridge}`, fits(eth0W - 16)), { class: 'bridge-name' }),
          ),
        );
      }
    } else if (pi || net.ips.length) {
      netParts.push(text(netX, hostY + 40, 'veth pair not known', { fill: MUTED }));
    }
  }
  // Host ports: arrows from the host into the pod's top edge, right to left from the network column.
  const portsRoom = Math.max(0, Math.floor((netX - 24 - (podX + 300)) / PORT_STEP) + 1);
  net.hostPorts.slice(0, portsRoom).forEach((hp, i) => {
    const x = netX - 28 - i * PORT_STEP;
    const from = `${hp.hostIP && hp.hostIP !== '0.0.0.0' ? `${hp.hostIP}:` : ''}${hp.hostPort}/${hp.protocol}`;
    netParts.push(
      el(
        'g',
        { class: 'host-port', 'data-host-port': hp.hostPort },
        title(`host port ${from} → container port ${hp.containerPort}`) +
          el('line', { x1: x, y1: hostY + 22, x2: x, y2: podY + 6, stroke: '#222222', 'stroke-width': 1.5, 'marker-end': `url(#${arrowId})` }) +
          text(x - 6, hostY + 50, shortenEnd(`host ${from}`, fits(PORT_STEP - 12, SMALL)), { 'font-size': SMALL, 'text-anchor': 'end' }) +
          text(x - 6, hostY + 64, `→ port ${hp.containerPort}`, { 'font-size': SMALL, 'text-anchor': 'end', fill: MUTED }),
      ),
    );
  });
  if (net.hostPorts.length > portsRoom) {
    netParts.push(text(podX + 300, hostY + 90, `+${net.hostPorts.length - portsRoom} more host port(s)`, { 'font-size': SMALL, fill: MUTED }));
  }

  // A legend, so neither stroke nor colour carries meaning alone.
  const legendY = podBottom + 22;
  const legend = text(
    MARGIN,
    legendY,
    shortenEnd('APP solid thick · SIDECAR double · INIT square corners · EPHEMERAL round corners · dashed: not running · dashed wire: read-only mount', fits(W - 2 * MARGIN, SMALL)),
    { 'font-size': SMALL, fill: MUTED, class: 'legend' },
  );
  const H = legendY + MARGIN;

  return (
    `<svg xmlns="http://www.w3.org/2000/svg" id="${p}" role="img" aria-labelledby="${p}-title ${p}-desc" width="${W}" height="${num(H)}" viewBox="0 0 ${W} ${num(H)}" font-family="system-ui, sans-serif" font-size="${FONT}">` +
    `<title id="${p}-title">${escapeXml(`Pod ${a.pod.namespace}/${a.pod.name}`)}</title>` +
    `<desc id="${p}-desc">${escapeXml(describe(a))}</desc>` +
    `<defs>${defs.join('')}</defs>` +
    el('rect', { x: 0, y: 0, width: W, height: H, fill: '#ffffff' }) +
    frame +
    netParts.join('') +
    bands.join('') +
    joins.join('') +
    parts.join('') +
    wires.join('') +
    legend +
    '</svg>'
  );
}
