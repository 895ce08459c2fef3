import assert from 'node:assert/strict';
import { test } from 'node:test';
import { architecturesFor, kernelAtLeast, parseKernelVersion, toOciSeccomp, type SeccompTarget } from './convert.js';
import type { SeccompFilter, SeccompProfileFile, SeccompRule } from './profile.js';

const filter = (f: Partial<SeccompFilter> = {}): SeccompFilter => ({ caps: [], arches: [], ...f });
const rule = (r: Partial<SeccompRule> = {}): SeccompRule => ({
  names: ['x'], action: 'SCMP_ACT_ALLOW', args: [], includes: filter(), excludes: filter(), ...r,
});
const profile = (syscalls: SeccompRule[], over: Partial<SeccompProfileFile> = {}): SeccompProfileFile => ({
  defaultAction: 'SCMP_ACT_ERRNO',
  defaultErrnoRet: 38,
  architectures: [],
  archMap: [
    { architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] },
    { architecture: 'SCMP_ARCH_AARCH64', subArchitectures: ['SCMP_ARCH_ARM'] },
  ],
  syscalls,
  flags: [],
  ...over,
});
const HOST: SeccompTarget = { arch: 'amd64', kernel: [6, 18, 44], caps: ['CAP_CHOWN', 'CAP_SYS_CHROOT'] };

const kept: [string, SeccompRule, Partial<SeccompTarget>, boolean][] = [
  ['keeps a rule without conditions', rule(), {}, true],
  ['keeps includes.caps when the container has every listed capability', rule({ includes: filter({ caps: ['CAP_SYS_CHROOT', 'CAP_CHOWN'] }) }), {}, true],
  ['drops includes.caps when one listed capability is missing', rule({ includes: filter({ caps: ['CAP_SYS_CHROOT', 'CAP_SYS_ADMIN'] }) }), {}, false],
  ['drops excludes.caps when the container has any listed capability', rule({ excludes: filter({ caps: ['CAP_SYS_ADMIN', 'CAP_CHOWN'] }) }), {}, false],
  ['keeps excludes.caps when the container has none of them', rule({ excludes: filter({ caps: ['CAP_SYS_ADMIN'] }) }), {}, true],
  ['follows capabilities the container added', rule({ includes: filter({ caps: ['CAP_SYS_ADMIN'] }) }), { caps: ['CAP_SYS_ADMIN'] }, true],
  ['keeps excludes.caps when the container dropped every capability', rule({ excludes: filter({ caps: ['CAP_CHOWN'] }) }), { caps: [] }, true],
  ['keeps includes.arches naming the host arch', rule({ includes: filter({ arches: ['amd64', 'x32'] }) }), {}, true],
  ['drops includes.arches naming only other arches', rule({ includes: filter({ arches: ['arm', 'arm64'] }) }), {}, false],
  ['drops includes.arches when the host arch is unknown', rule({ includes: filter({ arches: ['amd64'] }) }), { arch: undefined }, false],
  ['drops excludes.arches naming the host arch', rule({ excludes: filter({ arches: ['amd64'] }) }), {}, false],
  ['keeps excludes.arches naming other arches', rule({ excludes: filter({ arches: ['s390x'] }) }), {}, true],
  ['keeps includes.minKernel at or below the host kernel', rule({ includes: filter({ minKernel: '6.18' }) }), {}, true],
  ['drops includes.minKernel above the host kernel', rule({ includes: filter({ minKernel: '6.19' }) }), {}, false],
  ['compares minKernel patch levels', rule({ includes: filter({ minKernel: '6.18.45' }) }), {}, false],
  ['drops excludes.minKernel at or below the host kernel', rule({ excludes: filter({ minKernel: '4.8' }) }), {}, false],
  ['keeps excludes.minKernel above the host kernel', rule({ excludes: filter({ minKernel: '7.0' }) }), {}, true],
  ['needs every include to hold', rule({ includes: filter({ arches: ['amd64'], caps: ['CAP_SYS_ADMIN'] }) }), {}, false],
  ['drops a rule with no names', rule({ names: [] }), {}, false],
];
for (const [name, r, over, want] of kept) {
  test(`seccomp conversion ${name}`, () => {
    const out = toOciSeccomp(profile([r]), { ...HOST, ...over });
    assert.equal(out.syscalls?.length, want ? 1 : 0);
  });
}

test('seccomp conversion carries action, errnoRet and args, and omits what is unset', () => {
  const args = [{ index: 0, value: 16, valueTwo: 0, op: 'SCMP_CMP_EQ' }, { index: 2, value: 9, valueTwo: 0, op: 'SCMP_CMP_EQ' }];
  const out = toOciSeccomp(profile([rule({ names: ['socket'], action: 'SCMP_ACT_ERRNO', errnoRet: 22, args }), rule({ names: ['read', 'write'] })]), HOST);
  assert.deepEqual(out, {
    defaultAction: 'SCMP_ACT_ERRNO',
    defaultErrnoRet: 38,
    architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
    syscalls: [
      { names: ['socket'], action: 'SCMP_ACT_ERRNO', errnoRet: 22, args },
      { names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' },
    ],
  });
});

test('seccomp conversion passes flags and the notify listener through', () => {
  const out = toOciSeccomp(profile([], { flags: ['SECCOMP_FILTER_FLAG_LOG'], listenerPath: '/run/l.sock', listenerMetadata: 'm' }), HOST);
  assert.deepEqual([out.flags, out.listenerPath, out.listenerMetadata], [['SECCOMP_FILTER_FLAG_LOG'], '/run/l.sock', 'm']);
});

test('architectures come from the archMap entry of the host arch, plus its sub-architectures', () => {
  assert.deepEqual(architecturesFor(profile([]), 'amd64'), ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
  assert.deepEqual(architecturesFor(profile([]), 'arm64'), ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM']);
  assert.deepEqual(architecturesFor(profile([]), 's390x'), [], 'no entry: libseccomp filters the native arch only');
  assert.deepEqual(architecturesFor(profile([]), undefined), []);
  assert.equal('architectures' in toOciSeccomp(profile([]), { ...HOST, arch: 's390x' }), false);
});

test('an OCI-style architectures list is copied as it is', () => {
  assert.deepEqual(architecturesFor(profile([], { archMap: [], architectures: ['SCMP_ARCH_X86_64'] }), 'arm64'), ['SCMP_ARCH_X86_64']);
});

test('kernel releases compare by major, minor and patch', () => {
  assert.deepEqual(parseKernelVersion('6.18.44-fc-v1045'), [6, 18, 44]);
  assert.deepEqual(parseKernelVersion('5.10'), [5, 10, 0]);
  assert.deepEqual(parseKernelVersion('weird'), [0, 0, 0]);
  assert.equal(kernelAtLeast([6, 18, 44], '6.18.44'), true);
  assert.equal(kernelAtLeast([6, 18, 44], '6.2'), true);
  assert.equal(kernelAtLeast([4, 19, 0], '5.0'), false);
});
