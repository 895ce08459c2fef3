// The node's built-in test image: a busybox root filesystem made from the host's static busybox and
// imported as localhost/busybox:latest. Every applet is linked in /bin (as in docker's busybox image) and
// at its canonical path from `busybox --list-full` (/usr/bin/env, /sbin/ifconfig...). The tarball is
// deterministic (sorted, mtime 0, owner 0:0, GNU format), so the same busybox binary always gives the same
// image id and re-running setup is a no-op.

import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runChecked, type Exec } from '../system/exec.js';
import type { Image, ImageService } from './images.js';

export const BUSYBOX_PATH = '/usr/bin/busybox';
export const BUSYBOX_REF = 'localhost/busybox:latest';
export const DEFAULT_PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const DIRS: [string, number][] = [
  ['bin', 0o755], ['sbin', 0o755], ['usr', 0o755], ['usr/bin', 0o755], ['usr/sbin', 0o755], ['etc', 0o755],
  ['dev', 0o755], ['proc', 0o755], ['sys', 0o755], ['root', 0o700], ['home', 0o755], ['tmp', 0o1777],
  ['var', 0o755], ['var/www', 0o755], ['var/spool', 0o755], ['var/spool/mail', 0o755],
];

const FILES: [string, string][] = [
  ['etc/passwd', 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n'],
  ['etc/group', 'root:x:0:\nnobody:x:65534:\n'],
  ['etc/hostname', 'busybox\n'],
];

/** Fills the existing dir `rootfs` with the busybox tree: dirs, passwd/group, the binary and its applet links. */
export async function writeBusyboxRootfs(exec: Exec, busybox: string, rootfs: string): Promise<void> {
  for (const [d, mode] of DIRS) {
    await fs.mkdir(path.join(rootfs, d), { recursive: true });
    await fs.chmod(path.join(rootfs, d), mode);
  }
  for (const [f, text] of FILES) {
    await fs.writeFile(path.join(rootfs, f), text);
    await fs.chmod(path.join(rootfs, f), 0o644);
  }
  await fs.copyFile(busybox, path.join(rootfs, 'bin/busybox'));
  await fs.chmod(path.join(rootfs, 'bin/busybox'), 0o755);
  const list = await runChecked(exec, busybox, ['--list-full']);
  for (const link of appletLinks(list)) {
    const dest = path.join(rootfs, link);
    await fs.mkdir(path.dirname(dest), { recursive: true });
    await fs.symlink('/bin/busybox', dest).catch((e: NodeJS.ErrnoException) => (e.code === 'EEXIST' ? undefined : Promise.reject(e)));
  }
}

/** Applet paths for a rootfs: /bin/<applet> for each applet plus its canonical `--list-full` path. Pure. */
export function appletLinks(listFull: string): string[] {
  const out = new Set<string>();
  for (const line of listFull.split('\n')) {
    const rel = line.trim().replace(/^\/+/, '');
    if (!rel || rel.includes('..')) continue;
    const name = path.posix.basename(rel);
    if (name === 'busybox') continue;
    out.add(`bin/${name}`);
    out.add(rel);
  }
  return [...out].sort();
}

export async function buildBusyboxImage(
  images: ImageService,
  opts: { exec: Exec; busyboxPath?: string; ref?: string; tmpDir?: string },
): Promise<Image> {
  const busybox = opts.busyboxPath ?? BUSYBOX_PATH;
  const work = await fs.mkdtemp(path.join(opts.tmpDir ?? os.tmpdir(), 'peapod-busybox-'));
  try {
    const rootfs = path.join(work, 'rootfs');
    await fs.mkdir(rootfs, { mode: 0o755 });
    await fs.chmod(rootfs, 0o755);
    await writeBusyboxRootfs(opts.exec, busybox, rootfs);
    const tarPath = path.join(work, 'rootfs.tar');
    await runChecked(opts.exec, 'tar', [
      '--sort=name', '--mtime=@0', '--owner=0', '--group=0', '--numeric-owner', '--format=gnu',
      '-cf', tarPath, '-C', rootfs, '.',
    ]);
    return await images.importRootfs(tarPath, opts.ref ?? BUSYBOX_REF, {
      cmd: ['sh'],
      env: [DEFAULT_PATH_ENV],
      workingDir: '/',
    });
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}
