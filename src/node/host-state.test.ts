// The engine inventory and its removal (issue 14) on a made-up host: a temp /proc (mountinfo, command
// lines), a temp cgroup root, and a recording exec answering iptables-save, ip and runc. No root needed;
// the one process killed is this test's own child.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { RecordingExec, type RecordedCall } from '../runtime/network/recording-exec.js';
import { inventoryEmpty, inventoryEngine, isConmonOf, mountsUnder, podLeftovers, removeEngine } from './host-state.js';
import { nodePaths, type NodePaths } from './paths.js';

const ID1 = 'a'.repeat(64);
const ID2 = 'b'.repeat(64);
const OTHER = 'c'.repeat(64);

function fakeHost() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'peapod-hoststate-'));
  const base = nodePaths(path.join(root, 'data'));
  // Everything under the temp root, the names (key, bridge, network, chain) as a real data dir has them.
  const runDir = path.join(root, 'run');
  const paths: NodePaths = { ...base, runDir, runcRoot: path.join(runDir, 'runc'), netnsDir: path.join(runDir, 'netns'), exitsDir: path.join(runDir, 'exits'), attachDir: path.join(runDir, 'attach') };
  for (const d of [paths.runcRoot, paths.netnsDir, path.join(paths.ipamDir, paths.networkName), path.join(paths.containersDir, ID2), path.join(paths.sandboxesDir, ID1), paths.cniCacheDir]) fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(path.join(paths.netnsDir, ID1), '');
  for (const f of ['10.88.5.2', 'last_reserved_ip.0', 'lock']) fs.writeFileSync(path.join(paths.ipamDir, paths.networkName, f), `${ID1}\r\neth0`);
  const proc = path.join(root, 'proc');
  const cgroupRoot = path.join(root, 'cgroup');
  for (const ctrl of ['cpu,cpuacct', 'memory']) {
    fs.mkdirSync(path.join(cgroupRoot, ctrl, paths.cgroupParent, 'besteffort', `pod1234`, ID2), { recursive: true });
    fs.mkdirSync(path.join(cgroupRoot, ctrl, 'peapod-other', 'besteffort'), { recursive: true });
  }
  fs.mkdirSync(path.join(cgroupRoot, 'memory', paths.cgroupParent, 'burstable'), { recursive: true });
  fs.symlinkSync('cpu,cpuacct', path.join(cgroupRoot, 'cpu'));
  const mount = (id: number, point: string, fstype: string) => `${id} 1 0:${id} / ${point} rw shared:1 - ${fstype} none rw`;
  fs.mkdirSync(path.join(proc, 'self'), { recursive: true });
  fs.writeFileSync(
    path.join(proc, 'self', 'mountinfo'),
    [
      mount(20, '/', 'ext4'),
      mount(21, paths.netnsDir, 'tmpfs'),
      mount(22, path.join(paths.netnsDir, ID1), 'nsfs'),
      mount(23, path.join(paths.dataDir, 'images', 'overlay', ID2, 'merged'), 'overlay'),
      mount(24, path.join(paths.dataDir, 'pods', 'u1', 'volumes', 'kubernetes.io~empty-dir', 'my\\040mem'), 'tmpfs'),
      mount(25, `${paths.dataDir}-other/x`, 'tmpfs'),
      '',
    ].join('\n'),
  );
  return { root, paths, proc, cgroupRoot };
}

function conmonArgv(runcRoot: string, id: string): string[] {
  return ['/usr/bin/conmon', '--api-version', '1', '-c', id, '-r', '/usr/sbin/runc', '--runtime-arg', `--root=${runcRoot}`];
}

function writeProc(proc: string, pid: number, argv: string[]): void {
  fs.mkdirSync(path.join(proc, String(pid)), { recursive: true });
  fs.writeFileSync(path.join(proc, String(pid), 'cmdline'), argv.join('\0') + '\0');
}

function natSave(paths: NodePaths): string {
  const net = paths.networkName;
  const chain = `PEAPOD-MASQ-${paths.key}`;
  return [
    '*nat',
    ':PREROUTING ACCEPT [0:0]',
    ':POSTROUTING ACCEPT [0:0]',
    ':CNI-HOSTPORT-DNAT - [0:0]',
    ':CNI-DN-0123456789abcdef0123 - [0:0]',
    ':CNI-DN-fedcba9876543210fedc - [0:0]',
    `:${chain} - [0:0]`,
    `-A POSTROUTING -s 10.88.5.0/24 -m comment --comment "peapod node masquerade: ${net}" -j ${chain}`,
    `-A CNI-HOSTPORT-DNAT -p tcp -m comment --comment "dnat name: \\"${net}\\" id: \\"${ID1}\\"" -m multiport --dports 8080 -j CNI-DN-0123456789abcdef0123`,
    `-A CNI-HOSTPORT-DNAT -p tcp -m comment --comment "dnat name: \\"podman\\" id: \\"${OTHER}\\"" -m multiport --dports 9090 -j CNI-DN-fedcba9876543210fedc`,
    `-A CNI-DN-0123456789abcdef0123 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.88.5.2:80`,
    `-A ${chain} -d 10.88.5.0/24 -m comment --comment "peapod node masquerade: ${net}" -j RETURN`,
    `-A ${chain} -m comment --comment "peapod node masquerade: ${net}" -j MASQUERADE`,
    'COMMIT',
    '',
  ].join('\n');
}

function fakeExec(paths: NodePaths, opts: { failLink?: string; proc?: string } = {}) {
  return new RecordingExec((c: RecordedCall) => {
    if (c.file === 'iptables-save') return { stdout: natSave(paths) };
    if (c.file === '/usr/sbin/runc' && c.args.includes('list')) return { stdout: `${ID1}\n${ID2}\n` };
    if (c.file === 'umount' && opts.proc) {
      // The made-up host's mount table loses the point, as the kernel's would.
      const file = path.join(opts.proc, 'self', 'mountinfo');
      const point = c.args[c.args.length - 1]!.replace(/ /g, '\\040');
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.split(' ')[4] !== point).join('\n'));
    }
    if (c.file === 'ip' && c.args.join(' ') === `-o link show master ${paths.bridgeName}`) {
      return { stdout: `7: veth0a1b2c3d@if2: <BROADCAST,MULTICAST,UP> mtu 1500 master ${paths.bridgeName}\n` };
    }
    if (c.file === 'ip' && c.args[0] === 'link' && c.args[1] === 'del' && c.args[2] === opts.failLink) return { code: 2, stderr: 'RTNETLINK answers: Operation not permitted' };
    return undefined;
  });
}

test('the inventory finds what this data dir made, and only that', async () => {
  const h = fakeHost();
  const child = spawn('sleep', ['60'], { stdio: 'ignore' });
  try {
    writeProc(h.proc, child.pid!, conmonArgv(h.paths.runcRoot, ID2));
    writeProc(h.proc, 999_999_998, conmonArgv(`${h.paths.runcRoot}-other`, OTHER));
    writeProc(h.proc, 999_999_997, ['/usr/bin/sleep', `--root=${h.paths.runcRoot}`]);
    const exec = fakeExec(h.paths);
    const inv = await inventoryEngine(h.paths, { exec, procRoot: h.proc, cgroupRoot: h.cgroupRoot });
    assert.deepEqual(inv.conmon.map((c) => c.pid), [child.pid]);
    assert.deepEqual(inv.containers, [ID1, ID2]);
    assert.deepEqual(inv.mounts, [
      path.join(h.paths.dataDir, 'pods', 'u1', 'volumes', 'kubernetes.io~empty-dir', 'my mem'),
      path.join(h.paths.dataDir, 'images', 'overlay', ID2, 'merged'),
      path.join(h.paths.netnsDir, ID1),
      h.paths.netnsDir,
    ]);
    assert.deepEqual(inv.podChains.chains, ['CNI-DN-0123456789abcdef0123'], 'another network\'s chain is not ours');
    assert.equal(inv.podChains.jumps.length, 1);
    assert.equal(inv.nodeMasq?.chain, `PEAPOD-MASQ-${h.paths.key}`);
    assert.equal(inv.portmapScaffold, undefined, 'CNI\'s shared chains stay while another network has a host port');
    assert.deepEqual(inv.veths, ['veth0a1b2c3d']);
    assert.equal(inv.bridge, h.paths.bridgeName);
    assert.deepEqual(inv.netns, [ID1]);
    assert.deepEqual(inv.ipReservations, ['10.88.5.2'], 'only reservations, not host-local\'s own files');
    const cg = (ctrl: string, ...rest: string[]) => path.join(h.cgroupRoot, ctrl, h.paths.cgroupParent, ...rest);
    assert.deepEqual(new Set(inv.cgroups), new Set([
      cg('cpu,cpuacct', 'besteffort', 'pod1234', ID2), cg('cpu,cpuacct', 'besteffort', 'pod1234'), cg('cpu,cpuacct', 'besteffort'), cg('cpu,cpuacct'),
      cg('memory', 'besteffort', 'pod1234', ID2), cg('memory', 'besteffort', 'pod1234'), cg('memory', 'besteffort'), cg('memory', 'burstable'), cg('memory'),
    ]), 'both hierarchies (not the cpu symlink twice), no other parent');
    assert.equal(inv.runDir, h.paths.runDir);
    assert.deepEqual(inv.runtimeRecords, [path.join(h.paths.containersDir, ID2), path.join(h.paths.sandboxesDir, ID1)]);

    const left = podLeftovers(inv, h.paths);
    assert.deepEqual(Object.keys(left).sort(), ['cgroups', 'conmon', 'ips', 'iptables', 'mounts', 'netns', 'runc', 'veths']);
    assert.equal(left.mounts!.includes(h.paths.netnsDir), false, 'the netns dir\'s own mount is node-level');
    assert.deepEqual(left.cgroups!.map((c) => path.basename(c)), ['pod1234', 'pod1234']);
    assert.equal(inventoryEmpty(inv), false);
  } finally {
    child.kill('SIGKILL');
    fs.rmSync(h.root, { recursive: true, force: true });
  }
});

test('removal goes in dependency order, reports each thing, and a failed step does not stop the others', async () => {
  const h = fakeHost();
  const child = spawn('sleep', ['60'], { stdio: 'ignore' });
  const exited = new Promise<NodeJS.Signals | null>((r) => child.once('exit', (_code, sig) => r(sig)));
  try {
    writeProc(h.proc, child.pid!, conmonArgv(h.paths.runcRoot, ID2));
    const exec = fakeExec(h.paths, { failLink: 'veth0a1b2c3d', proc: h.proc });
    const inv = await inventoryEngine(h.paths, { exec, procRoot: h.proc, cgroupRoot: h.cgroupRoot });
    const report = await removeEngine(h.paths, inv, { exec, procRoot: h.proc });
    assert.equal(await exited, 'SIGKILL', 'the conmon was killed');
    const acts = exec.calls.filter((c) => c.file !== 'iptables-save' && !(c.file === 'ip' && c.args[0] === '-o') && !c.args.includes('list'));
    assert.deepEqual(acts.map((c) => [path.basename(c.file), ...c.args.filter((a) => !a.startsWith('/'))].join(' ').replace(/[0-9a-f]{64}/g, 'ID')), [
      'runc --root delete --force ID',
      'runc --root delete --force ID',
      'umount --no-canonicalize', 'umount --no-canonicalize', 'umount --no-canonicalize', 'umount --no-canonicalize',
      'iptables-restore --noflush --wait',
      'iptables-restore --noflush --wait',
      'ip link del veth0a1b2c3d',
      `ip link del ${h.paths.bridgeName}`,
    ]);
    const [podRules, masq] = exec.calls.filter((c) => c.file === 'iptables-restore').map((c) => c.input);
    assert.match(podRules!, /^-D CNI-HOSTPORT-DNAT .*-j CNI-DN-0123456789abcdef0123$/m);
    assert.match(podRules!, /^-X CNI-DN-0123456789abcdef0123$/m);
    assert.doesNotMatch(podRules!, /fedcba98/, 'another network\'s host port is left alone');
    assert.match(masq!, new RegExp(`^-D POSTROUTING .*-j PEAPOD-MASQ-${h.paths.key}$`, 'm'));
    assert.deepEqual(report.failed, ['deleted link veth0a1b2c3d: ip link del veth0a1b2c3d: RTNETLINK answers: Operation not permitted']);
    assert.ok(report.removed.includes(`deleted bridge ${h.paths.bridgeName}`), 'the steps after the failed one ran');
    assert.ok(report.removed.includes(`removed cgroup /${h.paths.cgroupParent}/besteffort/pod1234/${ID2} (2 hierarchies)`));
    assert.ok(report.removed.includes(`removed cgroup /${h.paths.cgroupParent}/burstable`), 'a dir only one hierarchy has');
    assert.equal(fs.existsSync(path.join(h.cgroupRoot, 'memory', h.paths.cgroupParent)), false);
    assert.equal(fs.existsSync(path.join(h.cgroupRoot, 'memory', 'peapod-other')), true, 'another parent stays');
    for (const gone of [h.paths.runDir, h.paths.cniCacheDir, h.paths.ipamDir, path.join(h.paths.containersDir, ID2), path.join(h.paths.sandboxesDir, ID1)]) {
      assert.equal(fs.existsSync(gone), false, `${gone} removed`);
    }
    assert.equal(fs.existsSync(h.paths.containersDir), true, 'the data dir itself stays');
  } finally {
    child.kill('SIGKILL');
    fs.rmSync(h.root, { recursive: true, force: true });
  }
});

test('the data dir itself as a mount (the admin\'s disk) is never listed; a source that cannot be read is an error, not the end', async () => {
  const h = fakeHost();
  try {
    const info = path.join(h.proc, 'self', 'mountinfo');
    fs.appendFileSync(info, `40 1 0:40 / ${h.paths.dataDir} rw - ext4 /dev/vdb rw\n41 1 0:41 / ${h.paths.imagesDir} rw - ext4 /dev/vdc rw\n`);
    const exec = new RecordingExec((c) => (c.file === 'iptables-save' ? { code: 1, stderr: 'iptables-save: not found' } : undefined));
    const inv = await inventoryEngine(h.paths, { exec, procRoot: h.proc, cgroupRoot: h.cgroupRoot });
    assert.equal(inv.mounts.includes(h.paths.dataDir), false);
    assert.equal(inv.mounts.includes(h.paths.imagesDir), false, 'nor the root of a dir the engine mounts under');
    assert.ok(inv.mounts.includes(path.join(h.paths.dataDir, 'images', 'overlay', ID2, 'merged')));
    assert.match(inv.errors.join('\n'), /^read iptables nat table: .*not found/m);
    assert.ok(inv.bridge !== undefined && inv.cgroups.length > 0, 'the other sources are still listed');
  } finally {
    fs.rmSync(h.root, { recursive: true, force: true });
  }
});

test('mounts are listed deepest first, with escaped names decoded, and only under the prefixes', () => {
  const info = [
    '30 1 0:30 / /run/peapod-x rw - tmpfs none rw',
    '31 30 0:31 / /run/peapod-x/netns rw - tmpfs none rw',
    '32 31 0:32 / /run/peapod-x/netns/abc rw - nsfs none rw',
    '33 1 0:33 / /run/peapod-xy rw - tmpfs none rw',
    '34 1 0:34 / /data/a\\040b rw - tmpfs none rw',
  ].join('\n');
  assert.deepEqual(mountsUnder(info, ['/run/peapod-x', '/data']), ['/run/peapod-x/netns/abc', '/run/peapod-x/netns', '/run/peapod-x', '/data/a b']);
});

test('a conmon is ours only with our runc root exactly', () => {
  assert.equal(isConmonOf(conmonArgv('/run/peapod/runc', ID1), '/run/peapod/runc'), true);
  assert.equal(isConmonOf(conmonArgv('/run/peapod/runc2', ID1), '/run/peapod/runc'), false);
  assert.equal(isConmonOf(['/usr/bin/runc', '--root=/run/peapod/runc'], '/run/peapod/runc'), false);
});
