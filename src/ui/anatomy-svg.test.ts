import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerAnatomy, PodAnatomy } from '../node/anatomy-types.js';
import { anatomySvg, escapeXml, shortenMiddle } from './anatomy-svg.js';

// A tiny XML reader, enough to hold the diagram to well-formedness: one root, every tag closed in order,
// attributes quoted and not repeated, no raw < or stray & in text or attribute values, only the five
// predefined entities and numeric references.

interface XNode {
  name: string;
  attrs: Record<string, string>;
  children: XNode[];
  /** The element's own text, entities decoded (children's text not included). */
  text: string;
  parent?: XNode;
}

const ENTITY = /&(?:lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/g;

function decode(s: string, where: string): string {
  const stray = s.replace(ENTITY, '').indexOf('&');
  assert.equal(stray, -1, `a stray & in ${where}: ${JSON.stringify(s)}`);
  assert.ok(!s.includes('<'), `a raw < in ${where}`);
  return s.replace(ENTITY, (e) => {
    const named: Record<string, string> = { '&lt;': '<', '&gt;': '>', '&amp;': '&', '&quot;': '"', '&apos;': "'" };
    if (named[e]) return named[e];
    return String.fromCodePoint(e[2] === 'x' ? parseInt(e.slice(3, -1), 16) : parseInt(e.slice(2, -1), 10));
  });
}

function parseXml(src: string): XNode {
  const NAME = '[A-Za-z_][A-Za-z0-9_.:-]*';
  const tagRe = new RegExp(`<(/?)(${NAME})((?:\\s+${NAME}\\s*=\\s*(?:"[^"]*"|'[^']*'))*)\\s*(/?)>`, 'y');
  const attrRe = new RegExp(`(${NAME})\\s*=\\s*(?:"([^"]*)"|'([^']*)')`, 'g');
  let i = 0;
  if (src.startsWith('<?xml')) i = src.indexOf('?>') + 2;
  const stack: XNode[] = [];
  let root: XNode | undefined;
  while (i < src.length) {
    const lt = src.indexOf('<', i);
    const chunk = src.slice(i, lt === -1 ? src.length : lt);
    if (stack.length) stack[stack.length - 1].text += decode(chunk, 'text');
    else assert.equal(chunk.trim(), '', 'text outside the root element');
    if (lt === -1) break;
    if (src.startsWith('<!--', lt)) {
      const end = src.indexOf('-->', lt);
      assert.ok(end > 0, 'an unclosed comment');
      i = end + 3;
      continue;
    }
    tagRe.lastIndex = lt;
    const m = tagRe.exec(src);
    assert.ok(m, `a malformed tag at ${lt}: ${src.slice(lt, lt + 60)}`);
    const [whole, close, name, rawAttrs, selfClose] = m;
    if (close) {
      assert.ok(!rawAttrs && !selfClose, `attributes on a closing tag </${name}>`);
      const open = stack.pop();
      assert.equal(open?.name, name, `</${name}> closes <${open?.name}>`);
    } else {
      assert.ok(stack.length || !root, 'a second root element');
      const attrs: Record<string, string> = {};
      for (const a of rawAttrs.matchAll(attrRe)) {
        assert.ok(!(a[1] in attrs), `attribute ${a[1]} repeated on <${name}>`);
        attrs[a[1]] = decode(a[2] ?? a[3], `attribute ${a[1]}`);
      }
      const n: XNode = { name, attrs, children: [], text: '', parent: stack[stack.length - 1] };
      if (stack.length) stack[stack.length - 1].children.push(n);
      else root = n;
      if (!selfClose) stack.push(n);
    }
    i = lt + whole.length;
  }
  assert.equal(stack.length, 0, `unclosed <${stack.map((s) => s.name).join('>, <')}>`);
  assert.ok(root, 'no root element');
  return root;
}

function all(n: XNode, pred: (x: XNode) => boolean, out: XNode[] = []): XNode[] {
  if (pred(n)) out.push(n);
  for (const c of n.children) all(c, pred, out);
  return out;
}
const byClass = (n: XNode, cls: string) => all(n, (x) => (x.attrs.class ?? '').split(/\s+/).includes(cls));
const deepText = (n: XNode): string => n.text + n.children.map(deepText).join('');
const firstChild = (n: XNode, name: string) => n.children.find((c) => c.name === name);
const rectOf = (n: XNode) => ({ x: Number(n.attrs.x), y: Number(n.attrs.y), w: Number(n.attrs.width), h: Number(n.attrs.height) });
type Rect = ReturnType<typeof rectOf>;
const inside = (r: Rect, x: number, y: number) => x >= r.x && x <= r.x + r.w && y >= r.y && y <= r.y + r.h;
const overlap = (a: Rect, b: Rect) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

function render(a: PodAnatomy, width?: number): { svg: string; doc: XNode } {
  const svg = anatomySvg(a, width ? { width } : undefined);
  return { svg, doc: parseXml(svg) };
}

function podRect(doc: XNode): Rect {
  const [pod] = byClass(doc, 'pod');
  assert.ok(pod, 'the pod rectangle');
  return rectOf(pod);
}

function containerBoxes(doc: XNode): Map<string, Rect> {
  const out = new Map<string, Rect>();
  for (const g of byClass(doc, 'container')) {
    const [r] = byClass(g, 'container-box');
    out.set(g.attrs['data-name'], rectOf(r));
  }
  return out;
}

// The fixture's shape follows the CLI test's: every part of the model.

const UID = '1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d';
const VOLS = `/var/lib/peapod/pods/${UID}/volumes`;
const NET = { kind: 'net', inode: 'net:[4026532301]' };
const IPC = { kind: 'ipc', inode: 'ipc:[4026532299]' };
const UTS = { kind: 'uts', inode: 'uts:[4026532298]' };
const joined = [NET, IPC, UTS].map((n) => ({ ...n, from: 'infra' as const }));
const own = (pid: number) => [
  { kind: 'pid', inode: `pid:[40265324${pid % 100}]`, from: 'own' as const },
  { kind: 'mnt', inode: `mnt:[40265325${pid % 100}]`, from: 'own' as const },
  { kind: 'cgroup', inode: `cgroup:[40265326${pid % 100}]`, from: 'own' as const },
];

function container(name: string, kind: ContainerAnatomy['kind'], pid: number, extra: Partial<ContainerAnatomy> = {}): ContainerAnatomy {
  return {
    name,
    kind,
    image: 'localhost/busybox:latest',
    id: `${pid}`.padEnd(64, 'a'),
    state: pid > 0 ? 'running' : 'waiting',
    restartCount: 0,
    ready: pid > 0,
    pid,
    namespaces: pid > 0 ? [...joined, ...own(pid)] : [],
    probes: [],
    mounts: [],
    processes: pid > 0 ? [{ pid, ppid: 1, command: 'sleep infinity', children: [] }] : [],
    ...extra,
  };
}

export function fixture(): PodAnatomy {
  return {
    kind: 'PodAnatomy',
    apiVersion: 'peapod.dev/v1',
    pod: { namespace: 'default', name: 'web', uid: UID, phase: 'Running', node: 'vm', qosClass: 'BestEffort' },
    infra: {
      id: '409d5bfa3f96e0c1d2b3a4958677f8e9d0c1b2a3f4e5d6c7b8a9f0e1d2c3b4a5',
      state: 'ready',
      pid: 22913,
      createdAt: '2026-12-04T02:31:07Z',
      command: 'catatonit -P',
      held: [
        { ...NET, pinnedAt: '/run/peapod/netns/409d5bfa3f96' },
        { ...IPC, pinnedAt: '/run/peapod/ipcns/409d5bfa3f96' },
        { ...UTS, pinnedAt: '/run/peapod/utsns/409d5bfa3f96' },
      ],
      cgroup: '/peapod.slice/peapod-besteffort.slice/pod1b2c3d4e/409d5bfa3f96',
    },
    network: {
      hostNetwork: false,
      ips: ['10.88.0.5'],
      podInterface: { name: 'eth0', mac: '0a:58:0a:58:00:05', mtu: 1500, addresses: ['10.88.0.5/16'] },
      hostInterface: { name: 'veth1a2b3c4d', bridge: 'peapod0' },
      gateway: '10.88.0.1',
      hostPorts: [
        { containerPort: 80, hostPort: 8080, protocol: 'TCP' },
        { containerPort: 53, hostPort: 5353, protocol: 'UDP', hostIP: '127.0.0.1' },
      ],
    },
    containers: [
      container('setup', 'init', 0, {
        state: 'terminated',
        reason: 'Completed',
        exitCode: 0,
        ready: false,
        mounts: [{ volume: 'shared', path: '/data', readOnly: false, hostSource: `${VOLS}/kubernetes.io~empty-dir/shared` }],
      }),
      container('sidecar', 'sidecar', 2301, {
        restartCount: 1,
        mounts: [{ volume: 'shared', path: '/logs', readOnly: true, subPath: 'logs', hostSource: `${VOLS}/kubernetes.io~empty-dir/shared/logs` }],
        processes: [{ pid: 2301, ppid: 2290, command: 'tail -F /logs/access.log', children: [] }],
      }),
      container('web', 'app', 2345, {
        image: 'docker.io/library/nginx:1.27',
        probes: [
          { type: 'readiness', handler: 'httpGet :8080/', periodSeconds: 10, lastResult: 'success' },
          { type: 'liveness', handler: 'tcpSocket :8080', periodSeconds: 20 },
        ],
        mounts: [
          { volume: 'shared', path: '/data', readOnly: false, hostSource: `${VOLS}/kubernetes.io~empty-dir/shared` },
          { volume: 'cache', path: '/var/cache/nginx', readOnly: false, hostSource: `${VOLS}/kubernetes.io~empty-dir/cache` },
          { path: '/etc/hosts', readOnly: true, hostSource: `/var/lib/peapod/pods/${UID}/etc-hosts` },
        ],
        processes: [
          {
            pid: 2345,
            ppid: 2330,
            command: 'nginx -g daemon off;',
            children: [
              { pid: 2380, ppid: 2345, command: 'nginx: worker process', children: [{ pid: 2391, ppid: 2380, command: 'sh -c sleep 5', children: [] }] },
              { pid: 2381, ppid: 2345, command: 'nginx: cache manager process', children: [] },
            ],
          },
        ],
      }),
      container('debugger-x7k2p', 'ephemeral', 0, { reason: 'ContainerCreating', ready: false }),
    ],
    volumes: [
      {
        name: 'shared',
        kind: 'emptyDir',
        hostSource: `${VOLS}/kubernetes.io~empty-dir/shared`,
        mountedBy: [
          { container: 'setup', path: '/data', readOnly: false },
          { container: 'sidecar', path: '/logs', readOnly: true, subPath: 'logs' },
          { container: 'web', path: '/data', readOnly: false },
        ],
      },
      {
        name: 'cache',
        kind: 'emptyDir',
        detail: 'Memory',
        hostSource: `${VOLS}/kubernetes.io~empty-dir/cache`,
        mountedBy: [{ container: 'web', path: '/var/cache/nginx', readOnly: false }],
      },
    ],
  };
}

test('the diagram is a standalone, well-formed SVG document, sized by its viewBox, accessible', () => {
  const { svg, doc } = render(fixture());
  assert.equal(doc.name, 'svg');
  assert.equal(doc.attrs.xmlns, 'http://www.w3.org/2000/svg');
  assert.equal(doc.attrs.role, 'img');
  assert.equal(doc.attrs.width, '960');
  const [vx, vy, vw, vh] = doc.attrs.viewBox.split(' ').map(Number);
  assert.deepEqual([vx, vy, vw], [0, 0, 960]);
  assert.equal(String(vh), doc.attrs.height);
  assert.equal(deepText(firstChild(doc, 'title')!), 'Pod default/web');
  assert.equal(deepText(firstChild(doc, 'desc')!), 'Pod default/web (Running): infra container holding net, ipc, uts; 4 containers; 2 volumes; IP 10.88.0.5.');
  // aria-labelledby names the title and desc by their ids.
  for (const id of doc.attrs['aria-labelledby'].split(' ')) assert.equal(all(doc, (x) => x.attrs.id === id).length, 1, id);
  // Ids unique; no external resources (no href to anything but a local #id, no web font).
  const ids = all(doc, (x) => x.attrs.id !== undefined).map((x) => x.attrs.id);
  assert.equal(new Set(ids).size, ids.length, `duplicate ids: ${ids.join(' ')}`);
  assert.ok(ids.every((id) => /^[A-Za-z][A-Za-z0-9_-]*$/.test(id)), ids.join(' '));
  assert.doesNotMatch(svg, /https?:\/\/(?!www\.w3\.org\/2000\/svg")|@import|@font-face|xlink:href|<image/);
  assert.equal(doc.attrs['font-family'], 'system-ui, sans-serif');
  // No stylesheet: a rule there would override the texts' own fill and size attributes.
  assert.equal(all(doc, (x) => x.name === 'style').length, 0);
  // Every text says its colour; the kind labels are white on their kind's dark fill.
  assert.ok(all(doc, (x) => x.name === 'text').every((t) => /^#[0-9a-f]{6}$/.test(t.attrs.fill)));
  assert.deepEqual(
    all(doc, (x) => x.name === 'text' && x.attrs.fill === '#ffffff').map(deepText),
    ['INIT', 'SIDECAR', 'APP', 'EPHEMERAL'],
  );
  // Every drawn thing lies within the viewBox.
  for (const r of all(doc, (x) => x.name === 'rect').map(rectOf)) assert.ok(r.x >= 0 && r.y >= 0 && r.x + r.w <= vw && r.y + r.h <= vh, JSON.stringify(r));
  for (const t of all(doc, (x) => x.name === 'text')) assert.ok(Number(t.attrs.y) <= vh && Number(t.attrs.x) <= vw, deepText(t));
  // Deterministic.
  assert.equal(anatomySvg(fixture()), svg);
});

/** WCAG 2 contrast ratio of two #rrggbb colours. */
function contrast(a: string, b: string): number {
  const lum = (hex: string) => {
    const [r, g, bl] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

test('text contrast meets WCAG AA (4.5:1): dark text on every light fill, white labels on their dark tag', () => {
  const { doc } = render(fixture());
  const fills = new Set(all(doc, (x) => x.name === 'rect' || x.name === 'path').map((x) => x.attrs.fill).filter((f) => /^#[0-9a-f]{6}$/.test(f ?? '')));
  const light = [...fills].filter((f) => contrast(f, '#ffffff') < 1.5);
  assert.ok(light.length >= 5, light.join(' '));
  const walkTexts = (n: XNode): void => {
    n.children.forEach((c, i) => {
      if (c.name === 'text') {
        if (c.attrs.fill === '#ffffff') {
          const tag = n.children[i - 1];
          assert.equal(tag?.name, 'rect');
          assert.ok(contrast('#ffffff', tag.attrs.fill) >= 4.5, `${deepText(c)} on ${tag.attrs.fill}`);
        } else {
          for (const f of light) assert.ok(contrast(c.attrs.fill, f) >= 4.5, `${deepText(c)}: ${c.attrs.fill} on ${f}`);
        }
      }
      walkTexts(c);
    });
  };
  walkTexts(doc);
});

test('one box per container, with its name, kind and state in words, a title, dashed when not running', () => {
  const { doc } = render(fixture());
  const groups = byClass(doc, 'container');
  assert.deepEqual(groups.map((g) => g.attrs['data-name']), ['setup', 'sidecar', 'web', 'debugger-x7k2p']);
  const want: Record<string, { kind: string; state: RegExp; dashed: boolean }> = {
    setup: { kind: 'INIT', state: /^terminated \(Completed, exit 0\) · not running · restarts 0$/, dashed: true },
    sidecar: { kind: 'SIDECAR', state: /^running · pid 2301 · restarts 1 · ready$/, dashed: false },
    web: { kind: 'APP', state: /^running · pid 2345 · restarts 0 · ready$/, dashed: false },
    'debugger-x7k2p': { kind: 'EPHEMERAL', state: /^waiting \(ContainerCreating\) · not running · restarts 0$/, dashed: true },
  };
  const strokes = new Set<string>();
  for (const g of groups) {
    const w = want[g.attrs['data-name']];
    const texts = all(g, (x) => x.name === 'text').map(deepText);
    assert.equal(deepText(byClass(g, 'container-name')[0]), g.attrs['data-name']);
    assert.ok(texts.includes(w.kind), texts.join(' | '));
    assert.ok(texts.some((t) => w.state.test(t)), `${g.attrs['data-name']}: ${texts.join(' | ')}`);
    const box = byClass(g, 'container-box')[0];
    assert.equal(box.attrs['stroke-dasharray'] !== undefined, w.dashed, g.attrs['data-name']);
    strokes.add(`${box.attrs.stroke} ${box.attrs['stroke-width']} ${box.attrs.rx}`);
    assert.match(deepText(firstChild(g, 'title')!), new RegExp(`container ${g.attrs['data-name']}: `));
  }
  assert.equal(strokes.size, 4, 'each kind its own stroke');
  const web = groups.find((g) => g.attrs['data-name'] === 'web')!;
  const webTexts = all(web, (x) => x.name === 'text').map(deepText);
  assert.ok(webTexts.includes('own namespaces: pid mnt cgroup'), webTexts.join(' | '));
  assert.ok(webTexts.includes('readiness httpGet :8080/ every 10s → success'));
  assert.ok(webTexts.includes('2345 nginx -g daemon off; (+3 more)'));
});

test('the infra box names the namespaces it holds, and each container joined to one is wired to its band', () => {
  const a = fixture();
  const { doc } = render(a);
  const [infra] = byClass(doc, 'infra');
  const infraTexts = all(infra, (x) => x.name === 'text').map(deepText);
  assert.ok(infraTexts.includes('infra (pause)'));
  assert.ok(infraTexts.includes('id 409d5bfa3f96'));
  assert.deepEqual(byClass(infra, 'held').map((g) => g.attrs['data-ns']), ['net', 'ipc', 'uts']);
  assert.ok(byClass(infra, 'held').every((g) => deepText(g).includes(g.attrs['data-ns'])));
  assert.match(deepText(firstChild(infra, 'title')!), /holds net, ipc, uts/);
  const bands = byClass(doc, 'ns-band');
  assert.deepEqual(bands.map((b) => b.attrs['data-ns']), ['net', 'ipc', 'uts']);
  const boxes = containerBoxes(doc);
  for (const ns of ['net', 'ipc', 'uts']) {
    const band = bands.find((b) => b.attrs['data-ns'] === ns)!;
    const bandRect = rectOf(all(band, (x) => x.name === 'rect')[0]);
    const wires = byClass(doc, 'joins').filter((w) => w.attrs['data-joins'] === ns);
    // Exactly the running containers join: the init and the ephemeral one have no namespaces.
    assert.deepEqual(wires.map((w) => w.attrs['data-container']), ['sidecar', 'web'], ns);
    for (const w of wires) {
      const [x1, y1, x2, y2] = ['x1', 'y1', 'x2', 'y2'].map((k) => Number(w.attrs[k]));
      assert.ok(inside(bandRect, x1, y1), `${ns} wire starts on the band`);
      const box = boxes.get(w.attrs['data-container'])!;
      assert.ok(inside(box, x2, y2), `${ns} wire ends on ${w.attrs['data-container']}'s box`);
    }
    // The infra's own badge reaches the band too.
    const link = all(band, (x) => x.name === 'line')[0];
    const infraRect = rectOf(byClass(infra, 'infra-box')[0]);
    assert.ok(inside(infraRect, Number(link.attrs.x1), Number(link.attrs.y1)));
    assert.ok(inside(bandRect, Number(link.attrs.x2), Number(link.attrs.y2)));
  }
});

test('the veth and the bridge are drawn outside the pod, eth0 inside, host ports as arrows into the pod', () => {
  const { doc } = render(fixture());
  const pod = podRect(doc);
  for (const cls of ['veth-name', 'bridge-name']) {
    const [t] = byClass(doc, cls);
    assert.ok(t, cls);
    assert.ok(!inside(pod, Number(t.attrs.x), Number(t.attrs.y)), `${cls} outside the pod`);
  }
  assert.equal(deepText(byClass(doc, 'veth-name')[0]), 'veth veth1a2b3c4d');
  assert.equal(deepText(byClass(doc, 'bridge-name')[0]), 'bridge peapod0');
  const [eth] = byClass(doc, 'eth0');
  const ethText = all(eth, (x) => x.name === 'text');
  assert.equal(deepText(ethText[0]), 'eth0 10.88.0.5/16');
  assert.ok(inside(pod, Number(ethText[0].attrs.x), Number(ethText[0].attrs.y)));
  // The veth's line crosses the pod's boundary.
  const link = byClass(doc, 'veth-link')[0];
  assert.ok(Number(link.attrs.y1) < pod.y && Number(link.attrs.y2) > pod.y);
  const ports = byClass(doc, 'host-port');
  assert.deepEqual(ports.map((p) => p.attrs['data-host-port']), ['8080', '5353']);
  const texts = ports.map((p) => all(p, (x) => x.name === 'text').map(deepText).join(' '));
  assert.deepEqual(texts, ['host 8080/TCP → port 80', 'host 127.0.0.1:5353/UDP → port 53']);
  for (const p of ports) {
    const l = all(p, (x) => x.name === 'line')[0];
    assert.ok(Number(l.attrs.y1) < pod.y && inside(pod, Number(l.attrs.x2), Number(l.attrs.y2)), 'from the host into the pod');
    assert.match(l.attrs['marker-end'], /^url\(#anatomy-[A-Za-z0-9_-]+-arrow\)$/);
  }
});

test('each volume: a shape at the bottom with kind and host dir (shortened, full in its title), one wire per mount', () => {
  const a = fixture();
  a.volumes[1].hostSource = `/var/lib/peapod/pods/${UID}/volumes/kubernetes.io~empty-dir/a-very-long-directory-name-for-the-cache`;
  const { doc } = render(a);
  const boxes = containerBoxes(doc);
  const lowest = Math.max(...[...boxes.values()].map((b) => b.y + b.h));
  const vols = byClass(doc, 'volume');
  assert.deepEqual(vols.map((v) => v.attrs['data-name']), ['shared', 'cache']);
  for (const [i, g] of vols.entries()) {
    const v = a.volumes[i];
    const [dir] = byClass(g, 'host-dir');
    const full = deepText(firstChild(dir, 'title')!);
    assert.equal(full, v.hostSource);
    const shown = dir.text;
    assert.ok(shown.length < full.length && shown.includes('…'), shown);
    const [head, tail] = shown.split('…');
    assert.ok(full.startsWith(head) && full.endsWith(tail), 'shortened in the middle');
    assert.ok(all(g, (x) => x.name === 'text').some((t) => deepText(t) === (v.detail ? `${v.kind} (${v.detail})` : v.kind)));
    assert.ok(all(g, (x) => x.name === 'text').every((t) => Number(t.attrs.y) > lowest), 'below the containers');
    assert.ok(inside(podRect(doc), Number(dir.attrs.x), Number(dir.attrs.y)), 'inside the pod');
    const wires = byClass(doc, 'mount').filter((w) => w.attrs['data-volume'] === v.name);
    assert.deepEqual(
      wires.map((w) => [w.attrs['data-container'], deepText(byClass(w, 'mount-label')[0])]),
      v.mountedBy.map((m) => [m.container, `${m.path}${m.readOnly ? ' ro' : ''}`]),
    );
    for (const w of wires) {
      // The wire ends on its container's box.
      const d = all(w, (x) => x.name === 'path')[0].attrs.d;
      const end = /H(-?[\d.]+)$/.exec(d);
      const lastV = [...d.matchAll(/V(-?[\d.]+)/g)].at(-1);
      assert.ok(end && lastV, d);
      const box = boxes.get(w.attrs['data-container'])!;
      assert.ok(inside({ ...box, x: box.x - 2, w: box.w + 4 }, Number(end[1]), Number(lastV[1])), `${d} ends on ${w.attrs['data-container']}`);
    }
  }
  // A mount the runtime adds (/etc/hosts) is no volume: no wire.
  assert.equal(byClass(doc, 'mount').length, 4);
  assert.equal(byClass(doc, 'mount').filter((w) => w.attrs['data-ro'] === 'true').length, 1);
});

test('names, paths and commands are escaped: a malicious name appears only escaped', () => {
  const evil = `<script>&"x"`;
  const a = fixture();
  a.pod.name = evil;
  a.pod.namespace = `ns'&`;
  a.containers[2].name = evil;
  a.containers[2].image = `img<&>"'`;
  a.containers[2].processes[0].command = `sh -c "echo <b> && x"`;
  a.volumes[0].name = evil;
  a.volumes[0].hostSource = `/tmp/<a&b>`;
  a.volumes[0].mountedBy[2] = { container: evil, path: `/<p>&"q"`, readOnly: true };
  a.network.hostInterface = { name: `v<&`, bridge: `b"r` };
  const { svg, doc } = render(a);
  assert.ok(!svg.includes('<script'), 'no raw <script');
  assert.ok(!svg.includes(evil));
  assert.ok(svg.includes(escapeXml(evil)));
  // Decoded, the names come back whole: in the title, the container's box, the volume, the mount label.
  assert.equal(deepText(firstChild(doc, 'title')!), `Pod ns'&/${evil}`);
  assert.ok(byClass(doc, 'container').some((g) => g.attrs['data-name'] === evil && deepText(byClass(g, 'container-name')[0]) === evil));
  assert.ok(byClass(doc, 'volume').some((g) => g.attrs['data-name'] === evil));
  assert.ok(byClass(doc, 'mount').some((w) => w.attrs['data-container'] === evil && deepText(byClass(w, 'mount-label')[0]) === `/<p>&"q" ro`));
  assert.equal(deepText(byClass(doc, 'bridge-name')[0]), 'bridge b"r');
  // The ids stay safe XML names.
  assert.ok(all(doc, (x) => x.attrs.id !== undefined).every((x) => /^[A-Za-z][A-Za-z0-9_-]*$/.test(x.attrs.id)));
  a.pod.uid = '';
  assert.ok(all(render(a).doc, (x) => x.attrs.id !== undefined).every((x) => /^[A-Za-z][A-Za-z0-9_-]*$/.test(x.attrs.id)));
});

test('a hostNetwork pod: no veth, a "host network" note, its containers in the host\'s net and uts', () => {
  const a = fixture();
  a.network = { hostNetwork: true, ips: ['192.168.122.10'], hostPorts: [{ containerPort: 8080, hostPort: 8080, protocol: 'TCP' }] };
  a.infra!.held = [{ ...IPC, pinnedAt: '/run/peapod/ipcns/409d5bfa3f96' }];
  a.containers = [a.containers[2]];
  a.containers[0].namespaces = [
    { kind: 'net', inode: 'net:[4026531840]', from: 'host' },
    { ...IPC, from: 'infra' },
    { kind: 'uts', inode: 'uts:[4026531838]', from: 'host' },
    { kind: 'pid', inode: 'pid:[4026532445]', from: 'own' },
  ];
  const { doc } = render(a);
  assert.equal(byClass(doc, 'veth').length + byClass(doc, 'bridge').length + byClass(doc, 'eth0').length, 0);
  const [note] = byClass(doc, 'host-network');
  assert.ok(deepText(note).includes('host network'));
  assert.match(deepText(firstChild(doc, 'desc')!), /infra container holding ipc; 1 container; 2 volumes; host network\.$/);
  assert.deepEqual(byClass(doc, 'joins').map((w) => w.attrs['data-joins']), ['ipc']);
  const texts = all(byClass(doc, 'container')[0], (x) => x.name === 'text').map(deepText);
  assert.ok(texts.includes("the host's namespaces: net uts"), texts.join(' | '));
  assert.ok(texts.includes('own namespaces: pid'));
  assert.equal(byClass(doc, 'host-port').length, 1);
});

test('a pod with no infra yet: a dashed infra box saying so, no bands, no IP', () => {
  const a = fixture();
  delete a.infra;
  a.pod.phase = 'Pending';
  a.network = { hostNetwork: false, ips: [], hostPorts: [] };
  a.containers = [container('web', 'app', 0, { reason: 'ContainerCreating' })];
  a.volumes = [{ name: 'shared', kind: 'emptyDir', mountedBy: [] }];
  const { doc } = render(a);
  const [infra] = byClass(doc, 'infra');
  const texts = all(infra, (x) => x.name === 'text').map(deepText);
  assert.deepEqual(texts, ['infra (pause)', 'no sandbox yet']);
  assert.ok(byClass(infra, 'infra-box')[0].attrs['stroke-dasharray']);
  assert.equal(byClass(doc, 'ns-band').length, 0);
  assert.equal(byClass(doc, 'joins').length, 0);
  assert.equal(byClass(doc, 'mount').length, 0);
  assert.equal(deepText(firstChild(doc, 'desc')!), 'Pod default/web (Pending): no infra container yet; 1 container; 1 volume; no pod IP yet.');
  assert.ok(all(doc, (x) => x.name === 'text').some((t) => deepText(t) === 'mounted by no container'));
  assert.ok(all(doc, (x) => x.name === 'text').some((t) => deepText(t) === 'no pod IP yet'));
});

test('10 containers and 5 volumes fit: the viewBox grows, no two boxes overlap, all inside the pod', () => {
  const a = fixture();
  a.containers = Array.from({ length: 10 }, (_, i) => container(`c${i}`, (['init', 'sidecar', 'app', 'ephemeral'] as const)[i % 4], i % 3 ? 3000 + i : 0));
  a.volumes = Array.from({ length: 5 }, (_, i) => ({
    name: `vol${i}`,
    kind: 'emptyDir',
    hostSource: `${VOLS}/kubernetes.io~empty-dir/vol${i}`,
    mountedBy: a.containers.filter((_, j) => (j + i) % 3 === 0).map((c) => ({ container: c.name, path: `/mnt/v${i}`, readOnly: i % 2 === 1 })),
  }));
  const small = render(fixture()).doc;
  const { doc } = render(a);
  const h = Number(doc.attrs.viewBox.split(' ')[3]);
  assert.ok(h > Number(small.attrs.viewBox.split(' ')[3]), 'taller than the 4-container pod');
  const pod = podRect(doc);
  const containers = [...containerBoxes(doc).values()];
  assert.equal(containers.length, 10);
  // A cylinder's outline starts at its top-left: "M<x> <y + 7> A...".
  const vols = byClass(doc, 'volume').map((g) => {
    const m = /^M(-?[\d.]+) (-?[\d.]+) A/.exec(all(g, (x) => x.name === 'path')[0].attrs.d);
    assert.ok(m);
    return { x: Number(m[1]), y: Number(m[2]) - 7 };
  });
  assert.equal(vols.length, 5);
  const [infra] = byClass(doc, 'infra-box').map(rectOf);
  const rects = [infra, ...containers];
  for (let i = 0; i < rects.length; i++) {
    assert.ok(inside(pod, rects[i].x, rects[i].y) && inside(pod, rects[i].x + rects[i].w, rects[i].y + rects[i].h), `box ${i} inside the pod`);
    for (let j = i + 1; j < rects.length; j++) assert.ok(!overlap(rects[i], rects[j]), `boxes ${i} and ${j} overlap`);
  }
  // The volumes sit below every container and inside the pod.
  const lowest = Math.max(...containers.map((b) => b.y + b.h));
  for (const v of vols) assert.ok(v.y > lowest && inside(pod, v.x, v.y), JSON.stringify(v));
  // One wire per mountedBy entry, one join per container joined to each held namespace.
  assert.equal(byClass(doc, 'mount').length, a.volumes.reduce((k, v) => k + v.mountedBy.length, 0));
  assert.equal(byClass(doc, 'joins').length, 3 * a.containers.filter((c) => c.pid > 0).length);
});

test('a narrow width still fits: the drawing grows to its minimum, texts are cut to their boxes', () => {
  const { doc } = render(fixture(), 300);
  const w = Number(doc.attrs.width);
  assert.ok(w > 300 && w < 960, String(w));
  assert.equal(doc.attrs.viewBox.split(' ')[2], String(w));
  const { doc: wide } = render(fixture(), 1400);
  assert.equal(wide.attrs.width, '1400');
  assert.equal(render(fixture(), Number.NaN).doc.attrs.width, '960', 'a width that is no number: the default');
});

test('shortenMiddle keeps both ends; escapeXml covers the five characters', () => {
  assert.equal(shortenMiddle('/var/lib/peapod/pods/x/volumes/dir', 12), '/var/l…s/dir');
  assert.equal(shortenMiddle('short', 12), 'short');
  assert.equal(shortenMiddle('abcdefghij', 5).length, 5);
  assert.equal(escapeXml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;');
});
