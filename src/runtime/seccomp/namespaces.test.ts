import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toOciSeccomp } from './convert.js';
import { restrictNamespaceCreation } from './namespaces.js';
import type { SeccompProfileFile, SeccompRule } from './profile.js';

const plain = (names: string[], action = 'SCMP_ACT_ALLOW'): SeccompRule => ({
  names, action, args: [], includes: { caps: [], arches: [] }, excludes: { caps: [], arches: [] },
});
const debianLike = (): SeccompProfileFile => ({
  defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 38, architectures: [], archMap: [], flags: [],
  syscalls: [plain(['vmsplice'], 'SCMP_ACT_ERRNO'), plain(['read', 'clone', 'clone3', 'unshare', 'write'])],
});
const DEFAULT_CAPS = ['CAP_CHOWN', 'CAP_SYS_CHROOT'];
const namesOf = (rules: { names: string[]; action: string }[] = [], action: string) =>
  rules.filter((r) => r.action === action).flatMap((r) => r.names);

test('namespace syscalls leave the unconditional allow list', () => {
  const out = restrictNamespaceCreation(debianLike(), 'amd64');
  assert.deepEqual(out.syscalls[1].names, ['read', 'write']);
  assert.deepEqual(out.syscalls[0], debianLike().syscalls[0]);
});

test('without CAP_SYS_ADMIN unshare is not allowed, clone only without CLONE_NEW* flags, clone3 is ENOSYS', () => {
  const oci = toOciSeccomp(restrictNamespaceCreation(debianLike(), 'amd64'), { arch: 'amd64', kernel: [6, 1, 0], caps: DEFAULT_CAPS });
  const sys = oci.syscalls ?? [];
  assert.ok(!namesOf(sys, 'SCMP_ACT_ALLOW').includes('unshare'));
  assert.ok(!namesOf(sys, 'SCMP_ACT_ALLOW').includes('clone3'));
  const cloneAllow = sys.find((r) => r.action === 'SCMP_ACT_ALLOW' && r.names.includes('clone'));
  assert.deepEqual(cloneAllow?.args, [{ index: 0, value: 0x7e020000, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }]);
  const cloneDeny = sys.find((r) => r.action === 'SCMP_ACT_ERRNO' && r.names.includes('clone'));
  assert.equal(cloneDeny?.errnoRet, 1);
  assert.equal(cloneDeny?.args?.length, 7);
  assert.ok(cloneDeny?.args?.every((a) => a.value === a.valueTwo && a.op === 'SCMP_CMP_MASKED_EQ' && a.index === 0));
  assert.deepEqual(sys.find((r) => r.names.includes('clone3')), { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 });
});

test('with CAP_SYS_ADMIN clone, clone3 and unshare are allowed and the deny rules are dropped', () => {
  const oci = toOciSeccomp(restrictNamespaceCreation(debianLike(), 'amd64'), { arch: 'amd64', kernel: [6, 1, 0], caps: [...DEFAULT_CAPS, 'CAP_SYS_ADMIN'] });
  const sys = oci.syscalls ?? [];
  assert.ok(sys.some((r) => r.action === 'SCMP_ACT_ALLOW' && !r.args && ['clone', 'clone3', 'unshare'].every((n) => r.names.includes(n))));
  assert.deepEqual(namesOf(sys, 'SCMP_ACT_ERRNO'), ['vmsplice']);
});

test('on s390x clone flags are the second argument', () => {
  const out = restrictNamespaceCreation(debianLike(), 's390x');
  assert.ok(out.syscalls.filter((r) => r.names.includes('clone') && r.args.length > 0).every((r) => r.args.every((a) => a.index === 1)));
});

test('a profile that already restricts namespace syscalls is left as it is', () => {
  const p = debianLike();
  p.syscalls[1] = plain(['read', 'write']);
  p.syscalls.push({ ...plain(['unshare']), includes: { caps: ['CAP_SYS_ADMIN'], arches: [] } });
  assert.equal(restrictNamespaceCreation(p, 'amd64'), p);
});
