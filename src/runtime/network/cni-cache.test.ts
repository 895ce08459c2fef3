import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';

import { buildCniArgs, renderBridgeConflist, type CniRuntimeArgs } from './cni.js';
import { CniCache, buildCacheRecord, cacheFileName, cachedConflist, parseCacheRecord } from './cni-cache.js';

const list = renderBridgeConflist({ networkName: 'peapod-x', bridgeName: 'ppx', ipamDir: '/d/ipam', podCidr: '10.88.7.0/24' });
const args: CniRuntimeArgs = {
  containerId: 'sb9',
  netns: '/run/peapod-x/netns/sb9',
  ifName: 'eth0',
  podNamespace: 'ns',
  podName: 'p',
  podUid: 'u',
};
const caps = { portMappings: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }] };
const result = { cniVersion: '1.0.0', ips: [{ interface: 2, address: '10.88.7.2/24', gateway: '10.88.7.1' }] };
const record = buildCacheRecord({ list, args, cniArgs: buildCniArgs(args), caps, result });

describe('cache record', () => {
  test('is named <network>-<containerId>-<ifname> as libcni names it', () => {
    assert.equal(cacheFileName('peapod-x', 'sb9', 'eth0'), 'peapod-x-sb9-eth0');
  });

  test('stores the conflist as base64 JSON and the ADD arguments', () => {
    assert.equal(record.kind, 'cniCacheV1');
    assert.equal(record.networkName, 'peapod-x');
    assert.deepEqual(cachedConflist(record), list);
    assert.deepEqual(record.capabilityArgs, caps);
    assert.deepEqual(record.cniArgs[1], ['K8S_POD_NAMESPACE', 'ns']);
  });

  test('survives a JSON round trip unchanged', () => {
    assert.deepEqual(parseCacheRecord(JSON.stringify(record)), record);
  });

  test('rejects a record of another kind', () => {
    assert.throws(() => parseCacheRecord('{"kind":"other"}'), /unsupported cni cache kind/);
  });

  test('rejects a record without a container id', () => {
    assert.throws(() => parseCacheRecord('{"kind":"cniCacheV1","config":"e30=","ifName":"eth0","networkName":"n"}'), /no containerId/);
  });
});

describe('CniCache files', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cni-cache-test-'));
  after(() => rm(dir, { recursive: true, force: true }));
  const cache = new CniCache(dir);
  await cache.init();

  test('writes, reads, lists and removes a record in results/', async () => {
    await cache.write(record);
    assert.deepEqual(await readdir(path.join(dir, 'results')), ['peapod-x-sb9-eth0']);
    assert.deepEqual(JSON.parse(await readFile(path.join(dir, 'results', 'peapod-x-sb9-eth0'), 'utf8')), record);
    assert.deepEqual(await cache.read('peapod-x', 'sb9', 'eth0'), record);
    assert.deepEqual((await cache.list()).records, [record]);
    await cache.remove('peapod-x', 'sb9', 'eth0');
    assert.equal(await cache.read('peapod-x', 'sb9', 'eth0'), undefined);
  });

  test('reports a corrupt file as bad in the listing', async () => {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(path.join(dir, 'results', 'junk'), 'not json');
    assert.deepEqual((await cache.list()).bad, [path.join(dir, 'results', 'junk')]);
  });
});
