import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSeccompProfile } from './profile.js';

const ERRNO = { EPERM: 1, ENOSYS: 38, EINVAL: 22 };
const parse = (v: unknown) => parseSeccompProfile(typeof v === 'string' ? v : JSON.stringify(v), ERRNO);

test('an OCI LinuxSeccomp file parses as a profile without conditions', () => {
  const p = parse({
    defaultAction: 'SCMP_ACT_ALLOW',
    architectures: ['SCMP_ARCH_X86_64'],
    syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 1, args: [{ index: 1, value: 0o700, op: 'SCMP_CMP_MASKED_EQ' }] }],
  });
  assert.deepEqual(p, {
    defaultAction: 'SCMP_ACT_ALLOW',
    architectures: ['SCMP_ARCH_X86_64'],
    archMap: [],
    flags: [],
    syscalls: [{
      names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 1,
      args: [{ index: 1, value: 0o700, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }],
      includes: { caps: [], arches: [] }, excludes: { caps: [], arches: [] },
    }],
  });
});

test('the containers/common form keeps archMap, includes, excludes and errno names', () => {
  const p = parse({
    defaultAction: 'SCMP_ACT_ERRNO',
    defaultErrnoRet: 1,
    defaultErrno: 'ENOSYS',
    archMap: [{ architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86'] }],
    syscalls: [
      { name: 'chroot', action: 'SCMP_ACT_ALLOW', args: null, comment: 'ignored', includes: { caps: ['CAP_SYS_CHROOT'], minKernel: '4.8' }, excludes: {} },
      { names: ['socket'], action: 'SCMP_ACT_ERRNO', errno: 'EINVAL', errnoRet: 99, excludes: { caps: ['CAP_AUDIT_WRITE'], arches: ['s390x'] } },
      { names: ['x'], action: 'SCMP_ACT_ERRNO', errno: '13' },
    ],
  });
  assert.equal(p.defaultErrnoRet, 38, 'defaultErrno wins over defaultErrnoRet');
  assert.deepEqual(p.archMap, [{ architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86'] }]);
  assert.deepEqual(p.syscalls[0].names, ['chroot'], 'name becomes names');
  assert.deepEqual(p.syscalls[0].includes, { caps: ['CAP_SYS_CHROOT'], arches: [], minKernel: '4.8' });
  assert.equal(p.syscalls[1].errnoRet, 22, 'errno wins over errnoRet');
  assert.deepEqual(p.syscalls[1].excludes, { caps: ['CAP_AUDIT_WRITE'], arches: ['s390x'] });
  assert.equal(p.syscalls[2].errnoRet, 13, 'a decimal errno string is a number');
});

const rejects: [string, unknown, RegExp][] = [
  ['text that is not JSON', '{"defaultAction": ', /^decoding seccomp profile failed: /],
  ['a JSON array', '[]', /not a JSON object/],
  ['a profile without defaultAction', { syscalls: [] }, /^defaultAction: is required$/],
  ['an unknown default action', { defaultAction: 'SCMP_ACT_MAYBE' }, /^defaultAction: unknown action "SCMP_ACT_MAYBE"$/],
  ['both architectures and archMap', { defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86'], archMap: [{ architecture: 'SCMP_ARCH_X86_64' }] }, /'architectures' and 'archMap'/],
  ['both name and names', { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ name: 'a', names: ['b'], action: 'SCMP_ACT_ALLOW' }] }, /^syscalls\[0\]: 'name' and 'names'/],
  ['a rule without an action', { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['a'] }] }, /^syscalls\[0\]\.action: is required$/],
  ['an unknown operator', { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['a'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 1, op: 'EQ' }] }] }, /^syscalls\[0\]\.args\[0\]\.op: unknown operator "EQ"$/],
  ['an argument index past the sixth', { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['a'], action: 'SCMP_ACT_ALLOW', args: [{ index: 6, value: 1, op: 'SCMP_CMP_EQ' }] }] }, /^syscalls\[0\]\.args\[0\]\.index: 6 is above 5$/],
  ['a value JSON numbers cannot hold exactly', '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["a"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":18446744073709551615,"op":"SCMP_CMP_EQ"}]}]}', /^syscalls\[0\]\.args\[0\]\.value: .* is above 9007199254740991$/],
  ['a negative errnoRet', { defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: -1 }, /^defaultErrnoRet: must be a non-negative integer, got -1$/],
  ['an unknown errno name', { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['a'], action: 'SCMP_ACT_ERRNO', errno: 'EWHAT' }] }, /^syscalls\[0\]\.errno: unknown errno EWHAT$/],
  ['a minKernel that is not a version', { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['a'], action: 'SCMP_ACT_ALLOW', excludes: { minKernel: 'v4' } }] }, /^syscalls\[0\]\.excludes\.minKernel: "v4" is not major\.minor/],
  ['syscalls that is not a list', { defaultAction: 'SCMP_ACT_ALLOW', syscalls: {} }, /^syscalls: must be a list$/],
  ['names that are not strings', { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: [1], action: 'SCMP_ACT_ALLOW' }] }, /^syscalls\[0\]\.names: must be a list of strings$/],
];
for (const [name, input, want] of rejects) {
  test(`parsing rejects ${name}`, () => assert.throws(() => parse(input), (e: Error) => (assert.match(e.message, want), true)));
}

test('a rule with neither name nor names parses with no names (it matches nothing)', () => {
  assert.deepEqual(parse({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ action: 'SCMP_ACT_KILL' }] }).syscalls[0].names, []);
});
