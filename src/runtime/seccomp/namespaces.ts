// CRI-O's change to the containers/common default profile (internal/config/seccomp DefaultProfile):
// the profile Debian ships lets any container call unshare, clone and clone3 freely, so a pod could
// create user namespaces, and with them reach kernel code that is otherwise root-only. Docker's,
// containerd's and CRI-O's RuntimeDefault all allow namespace creation only with CAP_SYS_ADMIN, so
// peapod applies the same change to the Debian file when it loads it:
// - clone, clone3, unshare: allowed with CAP_SYS_ADMIN;
// - clone without any CLONE_NEW* flag: allowed (fork, threads);
// - clone with a CLONE_NEW* flag: EPERM without CAP_SYS_ADMIN (runc adds conditions on the same
//   argument as separate rules, so any one flag matches);
// - clone3: ENOSYS without CAP_SYS_ADMIN (its flags sit in a struct seccomp cannot read; glibc then
//   falls back to clone);
// - unshare without CAP_SYS_ADMIN: falls to the default action (ENOSYS in Debian's file).
// Pure; applied once, to the cached default profile.

import type { SeccompArg, SeccompFilter, SeccompProfileFile, SeccompRule } from './profile.js';

const CLONE_NEW_FLAGS = [
  0x00020000, // CLONE_NEWNS
  0x04000000, // CLONE_NEWUTS
  0x08000000, // CLONE_NEWIPC
  0x10000000, // CLONE_NEWUSER
  0x20000000, // CLONE_NEWPID
  0x40000000, // CLONE_NEWNET
  0x02000000, // CLONE_NEWCGROUP
];
const ALL_CLONE_NEW = CLONE_NEW_FLAGS.reduce((a, b) => a + b, 0);
const NAMESPACE_SYSCALLS = ['clone', 'clone3', 'unshare'];
const EPERM = 1;
const ENOSYS = 38;

const none = (): SeccompFilter => ({ caps: [], arches: [] });
const sysAdmin = (): SeccompFilter => ({ caps: ['CAP_SYS_ADMIN'], arches: [] });

/** clone's flags are its first argument, except on s390 where the first two are swapped. */
function cloneFlagsIndex(arch: string | undefined): number {
  return arch === 's390' || arch === 's390x' ? 1 : 0;
}

function isUnconditionalAllow(r: SeccompRule): boolean {
  const plain = (f: SeccompFilter) => f.caps.length === 0 && f.arches.length === 0 && f.minKernel === undefined;
  return r.action === 'SCMP_ACT_ALLOW' && r.args.length === 0 && plain(r.includes) && plain(r.excludes);
}

/**
 * The profile with namespace creation reserved to CAP_SYS_ADMIN. A profile that does not allow
 * clone, clone3 or unshare unconditionally is returned unchanged (it already decides for itself).
 */
export function restrictNamespaceCreation(profile: SeccompProfileFile, arch: string | undefined): SeccompProfileFile {
  let changed = false;
  const syscalls = profile.syscalls.map((r) => {
    if (!isUnconditionalAllow(r) || !r.names.some((n) => NAMESPACE_SYSCALLS.includes(n))) return r;
    changed = true;
    return { ...r, names: r.names.filter((n) => !NAMESPACE_SYSCALLS.includes(n)) };
  });
  if (!changed) return profile;
  const index = cloneFlagsIndex(arch);
  const flag = (value: number, valueTwo: number): SeccompArg => ({ index, value, valueTwo, op: 'SCMP_CMP_MASKED_EQ' });
  const rule = (r: Partial<SeccompRule> & Pick<SeccompRule, 'names' | 'action'>): SeccompRule => ({
    args: [], includes: none(), excludes: none(), ...r,
  });
  syscalls.push(
    rule({ names: [...NAMESPACE_SYSCALLS], action: 'SCMP_ACT_ALLOW', includes: sysAdmin() }),
    rule({ names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [flag(ALL_CLONE_NEW, 0)] }),
    rule({ names: ['clone'], action: 'SCMP_ACT_ERRNO', errnoRet: EPERM, args: CLONE_NEW_FLAGS.map((f) => flag(f, f)), excludes: sysAdmin() }),
    rule({ names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS, excludes: sysAdmin() }),
  );
  return { ...profile, syscalls };
}
