// What the node runs, for `peapod version` (GET /peapod/v1/version): peapod, the Kubernetes API it
// serves, Node.js, and the host programs that run pods (runc, conmon, catatonit, the CNI plugins), the
// OS and the kernel. The programs are asked once, at the first request, and the answer kept.

import os from 'node:os';
import type { Exec } from '../system/exec.js';
import { CONMON_PATH } from '../runtime/conmon.js';
import { CATATONIT_PATH } from '../runtime/runc-runtime.js';
import { KUBE_VERSION } from '../k8s/version.js';
import { PEAPOD_VERSION } from '../version.js';

export interface ServerVersions {
  peapod: string;
  /** The Kubernetes API version served (GET /version's gitVersion). */
  kubernetes: string;
  node: string;
  os: string;
  kernel: string;
  runtime: { runc: string; conmon: string; catatonit: string; cniPlugins: string };
}

/** "conmon version 2.1.6\ncommit: …" → 2.1.6. */
export function parseConmonVersion(out: string): string {
  return /conmon version (\S+)/.exec(out)?.[1] ?? 'unknown';
}

/** "tini version 0.1.7_catatonit" → 0.1.7. */
export function parseCatatonitVersion(out: string): string {
  return /version (\d[\w.+~-]*?)(?:_catatonit)?\s*$/m.exec(out)?.[1] ?? 'unknown';
}

/**
 * The reference CNI plugins' version. Debian builds them without one (`bridge --version` says "version
 * unknown"), so the package's version it is.
 */
async function cniPluginsVersion(exec: Exec): Promise<string> {
  const r = await exec.run('dpkg-query', ['-W', '-f', '${Version}', 'containernetworking-plugins']).catch(() => undefined);
  return r && r.code === 0 && r.stdout.trim() ? r.stdout.trim() : 'unknown';
}

export async function readServerVersions(opts: { exec: Exec; runcVersion: string; osImage: string }): Promise<ServerVersions> {
  const first = (file: string) => opts.exec.run(file, ['--version']).then((r) => `${r.stdout}\n${r.stderr}`, () => '');
  const [conmon, catatonit, cniPlugins] = await Promise.all([first(CONMON_PATH), first(CATATONIT_PATH), cniPluginsVersion(opts.exec)]);
  return {
    peapod: PEAPOD_VERSION,
    kubernetes: KUBE_VERSION.gitVersion,
    node: process.version,
    os: opts.osImage,
    kernel: os.release(),
    runtime: { runc: opts.runcVersion, conmon: parseConmonVersion(conmon), catatonit: parseCatatonitVersion(catatonit), cniPlugins },
  };
}
