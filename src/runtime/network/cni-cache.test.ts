import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';

import { buildCniArgs, masqueradesPerPod, renderBridgeConflist, selectPlugins, type CniRuntimeArgs } from './cni.js';
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

  test('records only bridge for a pod without port mappings, and reads it back that way', () => {
    const noPorts = { portMappings: [] };
    const r = buildCacheRecord({ list: selectPlugins(list, noPorts), args, cniArgs: buildCniArgs(args), caps: noPorts, result });
    const back = cachedConflist(parseCacheRecord(JSON.stringify(r)));
    assert.deepEqual(back.plugins.map((p) => p.type), ['bridge']);
    assert.equal(masqueradesPerPod(back), false);
    assert.deepEqual(parseCacheRecord(JSON.stringify(r)).capabilityArgs, noPorts);
  });

  test('records bridge and portmap for a pod with a host port, and reads it back that way', () => {
    const r = buildCacheRecord({ list: selectPlugins(list, caps), args, cniArgs: buildCniArgs(args), caps, result });
    const back = parseCacheRecord(JSON.stringify(r));
    assert.deepEqual(cachedConflist(back).plugins.map((p) => p.type), ['bridge', 'portmap']);
    assert.deepEqual(back.capabilityArgs, caps);
  });

  test('reads a record written before node masquerade with its own plugins (ipMasq, portmap without mappings)', () => {
    const oldList = {
      cniVersion: '1.0.0',
      name: 'peapod-x',
      plugins: [
        { type: 'bridge', bridge: 'ppx', isGateway: true, ipMasq: true, hairpinMode: true, ipam: { type: 'host-local' } },
        { type: 'portmap', capabilities: { portMappings: true }, snat: true },
      ],
    };
    const text = JSON.stringify({
      kind: 'cniCacheV1',
      containerId: 'old1',
      config: Buffer.from(JSON.stringify(oldList)).toString('base64'),
      ifName: 'eth0',
      networkName: 'peapod-x',
      netns: '/run/peapod-x/netns/old1',
      cniArgs: buildCniArgs({ ...args, containerId: 'old1' }),
      capabilityArgs: { portMappings: [] },
      result,
    });
    const back = cachedConflist(parseCacheRecord(text));
    assert.deepEqual(back, oldList);
    assert.equal(masqueradesPerPod(back), true);
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
