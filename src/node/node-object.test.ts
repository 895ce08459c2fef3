import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { buildNode, limitableHugepages, readHostIdentity, readHugepages } from './node-object.js';

test('issue 8: huge page pools come from sysfs, named as the kubelet names them', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'peapod-hp-'));
  try {
    for (const [dir, n] of [['hugepages-2048kB', '3'], ['hugepages-1048576kB', '0']] as const) {
      fs.mkdirSync(path.join(root, dir));
      fs.writeFileSync(path.join(root, dir, 'nr_hugepages'), `${n}\n`);
    }
    assert.deepEqual(readHugepages(root), { 'hugepages-2Mi': 3 * 2 * 1024 * 1024, 'hugepages-1Gi': 0 });
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('issue 8: a pool the hugetlb controller cannot limit is advertised as 0 and reported', () => {
  const pools = { 'hugepages-2Mi': 8 << 20, 'hugepages-1Gi': 0 };
  assert.deepEqual(limitableHugepages(pools, ['1GB', '2MB']), { pools, unlimited: [] });
  assert.deepEqual(limitableHugepages(pools, []), { pools: { 'hugepages-2Mi': 0, 'hugepages-1Gi': 0 }, unlimited: ['hugepages-2Mi'] });
});

test("issue 12: the node's machineID, systemUUID and bootID come from where the kubelet reads them, '' when unreadable", () => {
  const files: Record<string, string> = { '/var/lib/dbus/machine-id': 'abc123\n', '/proc/sys/kernel/random/boot_id': 'b-0-0-t\n' };
  assert.deepEqual(readHostIdentity((f) => files[f]), { machineID: 'abc123', systemUUID: '', bootID: 'b-0-0-t' });
  files['/etc/machine-id'] = 'etc-id\n';
  assert.equal(readHostIdentity((f) => files[f]).machineID, 'etc-id');
});

test('issue 12: nodeInfo carries every field NodeSystemInfo requires, so python3-kubernetes can read the Node', () => {
  const facts = { nodeName: 'n', nodeIP: '192.0.2.1', podCidr: '10.88.0.0/24', kernelVersion: '6.1', osImage: 'Linux', runtimeVersion: 'runc://1.1', kubeletVersion: 'v1.33.0', cpus: 2, memoryBytes: 1 << 30, maxPods: 110, ephemeralStorageBytes: 1 << 30, hugepages: {} };
  const required = ['architecture', 'bootID', 'containerRuntimeVersion', 'kernelVersion', 'kubeProxyVersion', 'kubeletVersion', 'machineID', 'operatingSystem', 'osImage', 'systemUUID'];
  const info = (f: typeof facts & { identity?: { machineID: string; systemUUID: string; bootID: string } }) => buildNode(f, '2026-12-03T00:00:00Z').status!.nodeInfo as Record<string, unknown>;
  for (const k of required) assert.equal(typeof info(facts)[k], 'string', k);
  const withIds = info({ ...facts, identity: { machineID: 'm', systemUUID: 'u', bootID: 'b' } });
  assert.deepEqual([withIds.machineID, withIds.systemUUID, withIds.bootID], ['m', 'u', 'b']);
});
