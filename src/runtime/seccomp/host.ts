// The host facts a seccomp profile is resolved against, read once by the composition root.

import os from 'node:os';
import { parseKernelVersion, type KernelVersion } from './convert.js';
import type { ErrnoTable } from './profile.js';

export interface SeccompHost {
  /** libseccomp's native arch name ("amd64"), as profiles' includes/excludes.arches spell it. */
  arch?: string;
  kernel: KernelVersion;
  errno: ErrnoTable;
}

/** Node's process.arch → libseccomp's native arch name; undefined for arches peapod does not map. */
export function seccompArchOf(nodeArch: string, endianness: 'BE' | 'LE' = 'LE'): string | undefined {
  switch (nodeArch) {
    case 'x64': return 'amd64';
    case 'ia32': return 'x86';
    case 'arm64': return 'arm64';
    case 'arm': return 'arm';
    case 's390x': return 's390x';
    case 'riscv64': return 'riscv64';
    case 'ppc64': return endianness === 'LE' ? 'ppc64le' : 'ppc64';
    default: return undefined;
  }
}

export function hostSeccompFacts(): SeccompHost {
  return { arch: seccompArchOf(process.arch, os.endianness()), kernel: parseKernelVersion(os.release()), errno: os.constants.errno };
}
