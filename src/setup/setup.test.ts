import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Exec, ExecOptions, ExecResult } from '../system/exec.js';
import { silentLogger } from '../system/logger.js';
import { runSetup, type SetupOptions } from './setup.js';
import { describeMissing, findMissing, packagesFor, REQUIREMENTS } from './requirements.js';
import { hasCgroups, hasOverlay } from './kernel.js';

/** Records calls; apt-get install "installs" by adding the packages' paths to the host. */
class FakeExec implements Exec {
  calls: string[] = [];
  constructor(private host: Set<string>, private installFails = false) {}
  async run(file: string, args: string[], _opts?: ExecOptions): Promise<ExecResult> {
    this.calls.push([file, ...args].join(' '));
    if (file === 'apt-get' && args[0] === 'install') {
      if (this.installFails) return { code: 100, stdout: '', stderr: 'E: Unable to locate package conmon' };
      for (const r of REQUIREMENTS) if (args.includes(r.pkg)) this.host.add(r.paths[0]);
    }
    return { code: 0, stdout: '', stderr: '' };
  }
}

const ALL = () => new Set(REQUIREMENTS.map((r) => r.paths[r.paths.length - 1]));
const without = (...programs: string[]) => {
  const s = new Set<string>();
  for (const r of REQUIREMENTS) if (!programs.includes(r.program)) s.add(r.paths[0]);
  return s;
};

function options(host: Set<string>, exec: Exec, over: Partial<SetupOptions> = {}): SetupOptions & { lines: string[] } {
  const lines: string[] = [];
  return {
    dataDir: '/nonexistent/peapod-test',
    install: true,
    skipImage: true,
    exec,
    logger: silentLogger(),
    out: (l) => lines.push(l),
    lines,
    isRoot: () => true,
    fileExists: async (p) => host.has(p),
    readFile: async (p) => (p === '/proc/filesystems' ? 'nodev\ttmpfs\nnodev\toverlay\n' : 'cgroup /sys/fs/cgroup/memory cgroup rw 0 0\n'),
    ...over,
  };
}

test('finds a program at any of its paths', async () => {
  assert.deepEqual(await findMissing(REQUIREMENTS, async (p) => ALL().has(p)), []);
});

test('maps missing programs to distinct packages in table order', async () => {
  const missing = await findMissing(REQUIREMENTS, async (p) => without('conmon', 'cni/bridge', 'cni/portmap', 'nsenter').has(p));
  assert.deepEqual(packagesFor(missing), ['conmon', 'containernetworking-plugins', 'util-linux']);
  assert.match(describeMissing(missing)[0], /^missing conmon \(container monitor; looked at \/usr\/bin\/conmon\): install package conmon$/);
});

test('does not run apt-get when nothing is missing', async () => {
  const exec = new FakeExec(ALL());
  const o = options(ALL(), exec);
  await runSetup(o);
  assert.deepEqual(exec.calls, []);
  assert.ok(o.lines.includes(`programs: all ${REQUIREMENTS.length} present`));
});

test('updates once and installs only the missing packages, non-interactively', async () => {
  const host = without('runc', 'busybox');
  const exec = new FakeExec(host);
  await runSetup(options(host, exec));
  assert.deepEqual(exec.calls, ['apt-get update', 'apt-get install -y --no-install-recommends runc busybox-static']);
});

test('installs golang-github-containers-common when the RuntimeDefault seccomp profile is missing', async () => {
  const host = without('containers/seccomp.json');
  const exec = new FakeExec(host);
  await runSetup(options(host, exec));
  assert.deepEqual(exec.calls, ['apt-get update', 'apt-get install -y --no-install-recommends golang-github-containers-common']);
  assert.ok(host.has('/usr/share/containers/seccomp.json'));
});

test('checks programs for execution and the seccomp profile for reading', async () => {
  const kinds = new Map<string, string>();
  await findMissing(REQUIREMENTS, async (p, kind) => (kinds.set(p, kind), true));
  assert.equal(kinds.get('/usr/share/containers/seccomp.json'), 'file');
  assert.equal(kinds.get('/usr/sbin/runc'), 'program');
});

test('without install it names each missing program and its package and runs nothing', async () => {
  const host = without('catatonit');
  const exec = new FakeExec(host);
  await assert.rejects(runSetup(options(host, exec, { install: false })), /missing catatonit .*install package catatonit/);
  assert.deepEqual(exec.calls, []);
});

test('a failed install reports apt-get and what is still missing', async () => {
  const host = without('conmon');
  await assert.rejects(runSetup(options(host, new FakeExec(host, true))), /apt-get install failed \(exit 100\)[^]*missing conmon/);
});

test('refuses to run without root', async () => {
  await assert.rejects(runSetup(options(ALL(), new FakeExec(ALL()), { isRoot: () => false })), /must run as root/);
});

test('tries modprobe overlay when the kernel does not list it', async () => {
  const exec = new FakeExec(ALL());
  await assert.rejects(runSetup(options(ALL(), exec, { readFile: async () => 'nodev\ttmpfs\n' })), /no overlay filesystem/);
  assert.deepEqual(exec.calls, ['modprobe overlay']);
});

test('builds the image unless skipped', async () => {
  const built: string[] = [];
  const o = options(ALL(), new FakeExec(ALL()), { skipImage: false, buildImage: async (x) => (built.push(x.dataDir), 'image built') });
  await runSetup(o);
  assert.deepEqual(built, ['/nonexistent/peapod-test']);
  assert.ok(o.lines.includes('image built'));
});

test('reads kernel features from proc files', () => {
  assert.equal(hasOverlay('nodev\toverlay\n'), true);
  assert.equal(hasOverlay('nodev\toverlayfs\n'), false);
  assert.equal(hasCgroups('cgroup2 /sys/fs/cgroup/unified cgroup2 rw 0 0\n'), true);
  assert.equal(hasCgroups('proc /proc proc rw 0 0\n'), false);
});
