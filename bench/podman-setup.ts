// `npm run bench -- --with-podman`: installs Debian's podman (apt-get) so the bench can run its podman
// column. Reuses src/setup's requirement helpers; src/setup itself stays untouched (another owner's).

import { describeMissing, findMissing, type FileExists, type Requirement } from '../src/setup/requirements.js';
import type { Exec } from '../src/system/exec.js';

export const PODMAN_REQUIREMENT: Requirement = {
  program: 'podman',
  paths: ['/usr/bin/podman'],
  pkg: 'podman',
  purpose: 'the comparison column: podman kube play',
};

/** Where podman is, or undefined. */
export async function findPodman(exists: FileExists): Promise<string | undefined> {
  const missing = await findMissing([PODMAN_REQUIREMENT], exists);
  return missing.length === 0 ? PODMAN_REQUIREMENT.paths[0] : undefined;
}

/**
 * Installs podman with apt-get unless it is there; returns its path. One `apt-get update` first, only when
 * podman is missing. Recommends are skipped: podman uses the host's runc, conmon and CNI plugins.
 */
export async function installPodman(opts: { exec: Exec; exists: FileExists; out: (line: string) => void }): Promise<string> {
  const found = await findPodman(opts.exists);
  if (found) return found;
  opts.out('installing podman (apt-get)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = await opts.exec.run('apt-get', ['update'], { env, timeoutMs: 300_000 });
  if (update.code !== 0) opts.out(`apt-get update failed (exit ${update.code}); trying the install anyway`);
  const inst = await opts.exec.run('apt-get', ['install', '-y', '--no-install-recommends', PODMAN_REQUIREMENT.pkg], { env, timeoutMs: 600_000 });
  const after = await findPodman(opts.exists);
  if (inst.code !== 0 || !after) {
    const tail = (inst.stderr || inst.stdout).trim().split('\n').slice(-3).join(' ');
    throw new Error([`apt-get install podman failed (exit ${inst.code}): ${tail}`, ...describeMissing([PODMAN_REQUIREMENT])].join('\n'));
  }
  opts.out(`installed podman at ${after}`);
  return after;
}
