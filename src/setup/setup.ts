// `peapod setup`: makes the host ready to run pods. Checks root, the kernel (overlay, cgroups) and
// every host program; with install, apt-get installs the missing packages (one `apt-get update`,
// only when something is missing); then builds localhost/busybox:latest into the data dir's image
// store unless skipImage, and puts the `peapod` command on PATH (command-link.ts). Idempotent: a second run finds everything in place.

import { promises as fs, constants as fsc } from 'node:fs';
import type { Exec } from '../system/exec.js';
import type { Logger } from '../system/logger.js';
import { nodePaths } from '../node/paths.js';
import { prepareDataDir } from '../node/private-dir.js';
import { SystemClock } from '../system/clock.js';
import { describeMissing, findMissing, packagesFor, REQUIREMENTS, type FileExists } from './requirements.js';
import { hasCgroups, hasOverlay } from './kernel.js';
import { describeCommand, installCommand, type LinkOptions } from './command-link.js';

export const BUSYBOX_IMAGE = 'localhost/busybox:latest';

export interface SetupOptions {
  dataDir: string;
  install: boolean;
  skipImage: boolean;
  exec: Exec;
  logger: Logger;
  out: (line: string) => void;
  /** Seams for unit tests; default to the real host. */
  isRoot?: () => boolean;
  fileExists?: FileExists;
  readFile?: (path: string) => Promise<string>;
  /** Builds the busybox image; defaults to the image service in the data dir. */
  buildImage?: (opts: SetupOptions) => Promise<string>;
  /** The `peapod` command on PATH (command-link.ts): linked when install, else only reported. Absent: left alone. */
  command?: LinkOptions & { install: boolean };
}

const hostExists: FileExists = (p, kind) => fs.access(p, kind === 'file' ? fsc.R_OK : fsc.X_OK).then(() => true, () => false);
const hostRead = (p: string) => fs.readFile(p, 'utf8');

export async function runSetup(opts: SetupOptions): Promise<void> {
  const isRoot = opts.isRoot ?? (() => process.getuid?.() === 0);
  if (!isRoot()) throw new Error('peapod setup must run as root: it installs packages and checks kernel features (try sudo)');
  await checkKernel(opts);
  await ensurePrograms(opts);
  if (opts.skipImage) {
    opts.out(`skipping the ${BUSYBOX_IMAGE} image (--skip-image)`);
  } else {
    const result = await (opts.buildImage ?? buildBusybox)(opts);
    opts.out(result);
  }
  if (opts.command) opts.out(opts.command.install && opts.install ? await installCommand(opts.command) : await describeCommand(opts.command));
  opts.out('host is ready: start the node with `peapod serve`');
}

async function checkKernel(opts: SetupOptions): Promise<void> {
  const read = opts.readFile ?? hostRead;
  if (!hasOverlay(await read('/proc/filesystems').catch(() => ''))) {
    await opts.exec.run('modprobe', ['overlay']).catch(() => undefined);
    if (!hasOverlay(await read('/proc/filesystems').catch(() => ''))) {
      throw new Error('the kernel has no overlay filesystem (modprobe overlay failed): container root filesystems need it');
    }
  }
  opts.out('kernel: overlay filesystem available');
  if (!hasCgroups(await read('/proc/mounts').catch(() => ''))) {
    throw new Error('no cgroup filesystem is mounted under /sys/fs/cgroup: pod resource limits need cgroups');
  }
  opts.out('kernel: cgroups mounted');
}

async function ensurePrograms(opts: SetupOptions): Promise<void> {
  const exists = opts.fileExists ?? hostExists;
  let missing = await findMissing(REQUIREMENTS, exists);
  if (missing.length === 0) {
    opts.out(`programs: all ${REQUIREMENTS.length} present`);
    return;
  }
  if (!opts.install) {
    throw new Error([...describeMissing(missing), `run \`peapod setup\` without --no-install, or: apt-get install ${packagesFor(missing).join(' ')}`].join('\n'));
  }
  const pkgs = packagesFor(missing);
  opts.out(`installing ${pkgs.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = await opts.exec.run('apt-get', ['update'], { env });
  if (update.code !== 0) opts.logger.warn({ stderr: update.stderr.trim() }, 'apt-get update failed; trying the install anyway');
  const inst = await opts.exec.run('apt-get', ['install', '-y', '--no-install-recommends', ...pkgs], { env });
  missing = await findMissing(REQUIREMENTS, exists);
  if (inst.code !== 0 || missing.length > 0) {
    const why = inst.code !== 0 ? [`apt-get install failed (exit ${inst.code}): ${(inst.stderr || inst.stdout).trim().split('\n').slice(-3).join(' ')}`] : [];
    throw new Error([...why, ...describeMissing(missing)].join('\n'));
  }
  opts.out(`programs: installed ${pkgs.join(' ')}`);
}

/** Builds localhost/busybox:latest into the data dir's image store, unless it is there already. */
async function buildBusybox(opts: SetupOptions): Promise<string> {
  // Loaded on demand: the image code is only needed when an image is built.
  const [{ LocalImageService }, { buildBusyboxImage }] = await Promise.all([
    import('../images/local-image-service.js'),
    import('../images/busybox.js'),
  ]);
  const exec = opts.exec;
  prepareDataDir(nodePaths(opts.dataDir), opts.logger); // private whichever of setup and serve runs first
  const images = new LocalImageService({ paths: nodePaths(opts.dataDir), exec, logger: opts.logger, clock: new SystemClock() });
  await images.init();
  const existing = await images.imageStatus(BUSYBOX_IMAGE);
  if (existing) return `image ${BUSYBOX_IMAGE} already present (${existing.id.slice(0, 19)})`;
  const img = await buildBusyboxImage(images, { exec });
  return `image ${BUSYBOX_IMAGE} built (${img.id.slice(0, 19)})`;
}
