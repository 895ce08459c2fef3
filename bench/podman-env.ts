// podman's own world for the bench, all under one temp dir: containers.conf (runc, cgroupfs, file events,
// ulimits this machine allows, CNI config dir), storage.conf (graphroot/runroot), and one bridge network on
// 10.88.240.0/22 (outside peapod's test subnets): podman's default network "podman", whose subnet is
// containers.conf's default_subnet (kube play is pointed at it; its own default, podman-default-kube-network,
// would take 10.89.0.0/24 from the subnet pools). destroy() removes every pod, the network and the storage
// (`podman system reset` against this storage only), then what podman leaves on the host: its CNI IPAM and
// result files, netns, bridge and libpod_parent cgroups — only those that were not there before.

import childProcess from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Exec, ExecResult } from '../src/system/exec.js';

export const PODMAN_SUBNET = '10.88.240.0/22';
export const PODMAN_NETWORK = 'podman';
const CGROUP_ROOT = '/sys/fs/cgroup';
const CNI_STATE = '/var/lib/cni';
const NETNS_DIR = '/run/netns';

interface HostSnapshot {
  cniStateExisted: boolean;
  libpodParents: Set<string>;
  links: Set<string>;
  netns: Set<string>;
}

const listDir = (d: string) => {
  try {
    return fs.readdirSync(d);
  } catch {
    return [];
  }
};

export function renderContainersConf(dir: string): string {
  return [
    '[containers]',
    'default_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]',
    '[network]',
    'network_backend = "cni"',
    `network_config_dir = "${dir}/net"`,
    `default_subnet = "${PODMAN_SUBNET}"`,
    '[engine]',
    'runtime = "runc"',
    'cgroup_manager = "cgroupfs"',
    'events_logger = "file"',
    `events_logfile_path = "${dir}/events.log"`,
    `tmp_dir = "${dir}/tmp"`,
    `volume_path = "${dir}/volumes"`,
    `static_dir = "${dir}/root/libpod"`,
    '',
  ].join('\n');
}

export function renderStorageConf(dir: string): string {
  return ['[storage]', 'driver = "overlay"', `graphroot = "${dir}/root"`, `runroot = "${dir}/runroot"`, ''].join('\n');
}

export class PodmanEnv {
  private constructor(
    readonly podman: string,
    readonly dir: string,
    private readonly exec: Exec,
    private readonly before: HostSnapshot,
  ) {}

  static create(opts: { podman: string; exec: Exec }): PodmanEnv {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peapod-bench-podman-'));
    for (const d of ['net', 'tmp', 'volumes', 'pods']) fs.mkdirSync(path.join(dir, d));
    fs.writeFileSync(path.join(dir, 'containers.conf'), renderContainersConf(dir));
    fs.writeFileSync(path.join(dir, 'storage.conf'), renderStorageConf(dir));
    return new PodmanEnv(opts.podman, dir, opts.exec, snapshotHost());
  }

  /** The environment podman runs with here: this world's containers.conf and storage.conf. */
  commandEnv(): NodeJS.ProcessEnv {
    return { ...process.env, CONTAINERS_CONF: path.join(this.dir, 'containers.conf'), CONTAINERS_STORAGE_CONF: path.join(this.dir, 'storage.conf') };
  }

  run(args: string[], timeoutMs = 120_000): Promise<ExecResult> {
    return this.exec.run(this.podman, args, { env: this.commandEnv(), timeoutMs });
  }

  async check(args: string[], timeoutMs?: number): Promise<string> {
    const r = await this.run(args, timeoutMs);
    if (r.code !== 0) throw new Error(`podman ${args.join(' ')}: exit ${r.code}${r.timedOut ? ' (timed out)' : ''}: ${(r.stderr || r.stdout).trim()}`);
    return r.stdout;
  }

  async version(): Promise<string> {
    return (await this.check(['version', '--format', '{{.Client.Version}}'])).trim();
  }

  /** Imports the very rootfs of peapod's busybox layer as localhost/busybox:latest (same config: sh, PATH). */
  async importRootfs(layerDir: string, env: string[], cmd: string[]): Promise<void> {
    const tar = path.join(this.dir, 'busybox-rootfs.tar');
    const t = await this.exec.run('tar', ['--sort=name', '--numeric-owner', '--format=gnu', '-cf', tar, '-C', layerDir, '.']);
    if (t.code !== 0) throw new Error(`tar of ${layerDir}: ${t.stderr.trim()}`);
    const changes = [...env.map((e) => ['--change', `ENV ${e}`]), ['--change', `CMD ${JSON.stringify(cmd)}`]].flat();
    await this.check(['import', ...changes, tar, 'localhost/busybox:latest']);
    fs.rmSync(tar, { force: true });
  }

  /** Removes every pod, the network and the storage, then podman's host leftovers; never throws. */
  async destroy(): Promise<string[]> {
    const problems: string[] = [];
    const step = async (what: string, args: string[]) => {
      const r = await this.run(args, 180_000).catch((e: Error) => ({ code: -1, stderr: e.message, stdout: '' }));
      if (r.code !== 0) problems.push(`${what}: ${(r.stderr || r.stdout).trim().split('\n').slice(-1)[0]}`);
    };
    await step('pod rm', ['pod', 'rm', '--all', '--force', '--time', '0']);
    await step('system reset', ['system', 'reset', '--force']);
    problems.push(...scrubPodmanHost(this.before, this.dir));
    return problems;
  }
}

function snapshotHost(): HostSnapshot {
  return {
    cniStateExisted: fs.existsSync(CNI_STATE),
    libpodParents: new Set(listDir(CGROUP_ROOT).filter((c) => fs.existsSync(path.join(CGROUP_ROOT, c, 'libpod_parent')))),
    links: new Set(listDir('/sys/class/net')),
    netns: new Set(listDir(NETNS_DIR)),
  };
}

/** Removes a cgroup dir and its children, deepest first (cgroup dirs go with rmdir only). */
function rmdirTree(dir: string): void {
  for (const e of listDir(dir)) {
    const p = path.join(dir, e);
    if (fs.statSync(p, { throwIfNoEntry: false })?.isDirectory()) rmdirTree(p);
  }
  try {
    fs.rmdirSync(dir);
  } catch {
    /* busy or gone: reported by the caller's check */
  }
}

function scrubPodmanHost(before: HostSnapshot, dir: string): string[] {
  const problems: string[] = [];
  for (const mp of mountsUnder(dir)) {
    spawnQuiet('umount', ['-l', mp]);
  }
  for (const link of listDir('/sys/class/net')) {
    if (!before.links.has(link) && link.startsWith('cni-podman')) spawnQuiet('ip', ['link', 'del', link]);
  }
  for (const ns of listDir(NETNS_DIR)) {
    if (!before.netns.has(ns) && ns.startsWith('netns-')) {
      spawnQuiet('umount', [path.join(NETNS_DIR, ns)]);
      fs.rmSync(path.join(NETNS_DIR, ns), { force: true });
    }
  }
  if (!before.cniStateExisted) fs.rmSync(CNI_STATE, { recursive: true, force: true });
  else {
    fs.rmSync(path.join(CNI_STATE, 'networks', PODMAN_NETWORK), { recursive: true, force: true });
    for (const f of listDir(path.join(CNI_STATE, 'results'))) if (f.startsWith(`${PODMAN_NETWORK}-`)) fs.rmSync(path.join(CNI_STATE, 'results', f), { force: true });
  }
  for (const c of listDir(CGROUP_ROOT)) {
    const p = path.join(CGROUP_ROOT, c, 'libpod_parent');
    if (!before.libpodParents.has(c) && fs.existsSync(p)) {
      rmdirTree(p);
      if (fs.existsSync(p)) problems.push(`cgroup ${p} still busy`);
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
  if (fs.existsSync(dir)) problems.push(`could not remove ${dir}`);
  return problems;
}

function mountsUnder(dir: string): string[] {
  return fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((mp) => mp === dir || mp.startsWith(dir + '/'))
    .sort((a, b) => b.length - a.length);
}

function spawnQuiet(file: string, args: string[]): void {
  // Synchronous on purpose: cleanup runs last and in order.
  childProcess.spawnSync(file, args, { stdio: 'ignore' });
}
