// A seccomp profile file → the OCI spec's linux.seccomp for one container, deciding each rule's
// conditions as containers/common does when podman or CRI-O generate a spec (setupSeccomp), with
// Docker's minKernel on top. Pure: the container's capabilities and the host facts are inputs.
//
// A rule is kept unless one of these drops it, checked in this order:
//   excludes.arches   contains the host arch                  → dropped
//   excludes.caps     any of them is in the bounding set      → dropped
//   excludes.minKernel host kernel ≥ it                       → dropped
//   includes.arches   non-empty and lacks the host arch       → dropped
//   includes.caps     any of them is missing from the set     → dropped (all are required)
//   includes.minKernel host kernel < it                       → dropped
// Architectures: a file's `architectures` are copied; with `archMap`, the entry whose architecture is
// the host's (amd64 → SCMP_ARCH_X86_64) gives it plus its subArchitectures, and no entry gives none
// (libseccomp then filters the native arch only).

import type { OciSeccomp, OciSyscall } from '../oci-types.js';
import type { SeccompProfileFile, SeccompRule } from './profile.js';

/** [major, minor, patch] of a kernel release. */
export type KernelVersion = readonly [number, number, number];

/** What the conversion needs to know about the host and the container. */
export interface SeccompTarget {
  /** libseccomp's native arch name of the host ("amd64"); undefined when peapod does not know it. */
  arch?: string;
  kernel: KernelVersion;
  /** The container's bounding capability set ("CAP_SYS_ADMIN"...). */
  caps: readonly string[];
}

/** libseccomp native arch name → the SCMP_ARCH_* an archMap entry is keyed by. */
const SECCOMP_ARCH: Readonly<Record<string, string>> = {
  amd64: 'SCMP_ARCH_X86_64',
  x86: 'SCMP_ARCH_X86',
  arm64: 'SCMP_ARCH_AARCH64',
  arm: 'SCMP_ARCH_ARM',
  ppc64le: 'SCMP_ARCH_PPC64LE',
  s390x: 'SCMP_ARCH_S390X',
  riscv64: 'SCMP_ARCH_RISCV64',
};

/** "6.18.44-fc-v1045" → [6, 18, 44]; missing parts are 0, an unreadable release is [0, 0, 0]. */
export function parseKernelVersion(release: string): KernelVersion {
  const m = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(release);
  if (!m) return [0, 0, 0];
  return [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)];
}

export function kernelAtLeast(kernel: KernelVersion, min: string): boolean {
  const want = parseKernelVersion(min);
  for (let i = 0; i < 3; i++) if (kernel[i] !== want[i]) return kernel[i] > want[i];
  return true;
}

/** Whether the rule applies to this container on this host (the table above). */
export function ruleApplies(rule: SeccompRule, t: SeccompTarget): boolean {
  const { includes: inc, excludes: exc } = rule;
  const hasCap = (c: string) => t.caps.includes(c);
  const onArch = (arches: string[]) => t.arch !== undefined && arches.includes(t.arch);
  if (onArch(exc.arches)) return false;
  if (exc.caps.some(hasCap)) return false;
  if (exc.minKernel !== undefined && kernelAtLeast(t.kernel, exc.minKernel)) return false;
  if (inc.arches.length > 0 && !onArch(inc.arches)) return false;
  if (!inc.caps.every(hasCap)) return false;
  if (inc.minKernel !== undefined && !kernelAtLeast(t.kernel, inc.minKernel)) return false;
  return true;
}

export function architecturesFor(profile: SeccompProfileFile, arch: string | undefined): string[] {
  if (profile.architectures.length > 0) return [...profile.architectures];
  const native = arch === undefined ? undefined : SECCOMP_ARCH[arch];
  const entry = profile.archMap.find((e) => e.architecture === native);
  return entry ? [entry.architecture, ...entry.subArchitectures] : [];
}

function toOciSyscall(rule: SeccompRule): OciSyscall {
  const out: OciSyscall = { names: [...rule.names], action: rule.action };
  if (rule.errnoRet !== undefined) out.errnoRet = rule.errnoRet;
  if (rule.args.length > 0) out.args = rule.args.map((a) => ({ ...a }));
  return out;
}

export function toOciSeccomp(profile: SeccompProfileFile, target: SeccompTarget): OciSeccomp {
  const out: OciSeccomp = { defaultAction: profile.defaultAction };
  if (profile.defaultErrnoRet !== undefined) out.defaultErrnoRet = profile.defaultErrnoRet;
  const architectures = architecturesFor(profile, target.arch);
  if (architectures.length > 0) out.architectures = architectures;
  if (profile.flags.length > 0) out.flags = [...profile.flags];
  if (profile.listenerPath !== undefined) out.listenerPath = profile.listenerPath;
  if (profile.listenerMetadata !== undefined) out.listenerMetadata = profile.listenerMetadata;
  out.syscalls = profile.syscalls.filter((r) => r.names.length > 0 && ruleApplies(r, target)).map(toOciSyscall);
  return out;
}
