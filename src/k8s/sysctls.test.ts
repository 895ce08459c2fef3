import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeSysctlName, SysctlAllowlist, sysctlNamespace } from './sysctls.js';

test('a name whose first separator is a slash swaps dots and slashes, as sysctl.d(5) reads it', () => {
  assert.equal(normalizeSysctlName('net/ipv4/conf/eth0.100/forwarding'), 'net.ipv4.conf.eth0/100.forwarding');
  assert.equal(normalizeSysctlName('net.ipv4.conf.eth0/100.forwarding'), 'net.ipv4.conf.eth0/100.forwarding');
  assert.equal(normalizeSysctlName('kernel'), 'kernel');
});

test('the kernel namespaces of sysctls are known for kernel.sem, kernel.shm*, kernel.msg*, fs.mqueue.* and net.*', () => {
  assert.equal(sysctlNamespace('kernel.sem'), 'ipc');
  assert.equal(sysctlNamespace('kernel.msgmax'), 'ipc');
  assert.equal(sysctlNamespace('fs.mqueue.msg_max'), 'ipc');
  assert.equal(sysctlNamespace('net.core.somaxconn'), 'net');
  assert.equal(sysctlNamespace('kernel.semx'), undefined);
  assert.equal(sysctlNamespace('vm.swappiness'), undefined);
});

test('the safe set alone allows only the safe sysctls, worded as the kubelet refuses the rest', () => {
  const a = new SysctlAllowlist();
  assert.equal(a.refusal('net.ipv4.tcp_rmem', false, false), undefined);
  assert.equal(a.refusal('net/ipv4/tcp_keepalive_probes', false, false), undefined);
  assert.equal(a.refusal('kernel.msgmax', false, false), '"kernel.msgmax" not allowlisted');
  assert.equal(a.refusal('net/core/somaxconn', false, false), '"net.core.somaxconn" not allowlisted');
  assert.equal(a.refusal('net/ipv4/tcp_syncookies', true, false), '"net.ipv4.tcp_syncookies" not allowed with host net enabled');
  assert.equal(a.refusal('kernel.shm_rmid_forced', false, true), '"kernel.shm_rmid_forced" not allowed with host ipc enabled');
});

test('--allowed-unsafe-sysctls adds namespaced names and prefixes, and still refuses them with the host namespace', () => {
  const a = new SysctlAllowlist(['kernel.msg*', 'net.core.somaxconn']);
  assert.equal(a.refusal('kernel.msgmax', false, false), undefined);
  assert.equal(a.refusal('kernel.msgmnb', false, false), undefined);
  assert.equal(a.refusal('net.core.somaxconn', false, false), undefined);
  assert.equal(a.refusal('net.core.rmem_max', false, false), '"net.core.rmem_max" not allowlisted');
  assert.equal(a.refusal('kernel.msgmax', false, true), '"kernel.msgmax" not allowed with host ipc enabled');
});

test('--allowed-unsafe-sysctls refuses what is not namespaced or not a sysctl pattern, as the kubelet fails to start', () => {
  assert.throws(() => new SysctlAllowlist(['vm.swappiness']), { message: 'the sysctl "vm.swappiness" are not known to be namespaced' });
  assert.throws(() => new SysctlAllowlist(['kernel.*']), { message: 'the sysctls "kernel.*" are not known to be namespaced' });
  assert.throws(() => new SysctlAllowlist(['Net.*']), /^Error: sysctl "Net\.\*" must have at most 253 characters and match regex/);
});
