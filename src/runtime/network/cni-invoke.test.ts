import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { renderBridgeConflist, selectPlugins, type CniRuntimeArgs } from './cni.js';
import { CniInvoker, CniPluginError } from './cni-invoke.js';
import { RecordingExec, type RecordedCall } from './recording-exec.js';

const list = renderBridgeConflist({ networkName: 'peapod-t', bridgeName: 'ppt', ipamDir: '/d/ipam', podCidr: '10.88.3.0/24' });
const args: CniRuntimeArgs = { containerId: 'sb1', netns: '/ns/sb1', ifName: 'eth0', podNamespace: 'ns', podName: 'p', podUid: 'u' };
const caps = { portMappings: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }] };
const bridgeResult = { cniVersion: '1.0.0', ips: [{ address: '10.88.3.2/24', gateway: '10.88.3.1' }] };

function invoker(handler: (c: RecordedCall) => { code?: number; stdout?: string } | undefined) {
  const exec = new RecordingExec(handler);
  const inv = new CniInvoker({ exec, binDirs: ['/usr/lib/cni'], resolve: (t) => `/usr/lib/cni/${t}`, basePath: '/usr/bin' });
  return { exec, inv };
}

const conf = (c: RecordedCall) => JSON.parse(c.input) as Record<string, unknown>;

describe('CniInvoker.add', () => {
  test('runs the plugins in order and chains each result into the next as prevResult', async () => {
    const { exec, inv } = invoker((c) => ({ stdout: JSON.stringify({ ...bridgeResult, by: c.file }) }));
    const result = await inv.add(list, args, caps);
    assert.deepEqual(exec.calls.map((c) => [c.file, c.env.CNI_COMMAND]), [
      ['/usr/lib/cni/bridge', 'ADD'],
      ['/usr/lib/cni/portmap', 'ADD'],
    ]);
    assert.equal('prevResult' in conf(exec.calls[0]!), false);
    assert.deepEqual(conf(exec.calls[1]!).prevResult, { ...bridgeResult, by: '/usr/lib/cni/bridge' });
    assert.deepEqual(conf(exec.calls[1]!).runtimeConfig, caps);
    assert.deepEqual(result, { ...bridgeResult, by: '/usr/lib/cni/portmap' });
  });

  test('runs only bridge for a pod without port mappings and returns its result', async () => {
    const { exec, inv } = invoker(() => ({ stdout: JSON.stringify(bridgeResult) }));
    const result = await inv.add(selectPlugins(list, { portMappings: [] }), args, { portMappings: [] });
    assert.deepEqual(exec.calls.map((c) => c.file), ['/usr/lib/cni/bridge']);
    assert.equal(conf(exec.calls[0]!).ipMasq, false);
    assert.deepEqual(result, bridgeResult);
  });

  test('stops at the first failing plugin and reports its CNI error', async () => {
    const { exec, inv } = invoker(() => ({ code: 1, stdout: '{"code":7,"msg":"invalid config"}' }));
    await assert.rejects(inv.add(list, args, caps), (err: unknown) => {
      assert.ok(err instanceof CniPluginError);
      assert.equal(err.cniCode, 7);
      assert.equal(err.message, 'cni bridge ADD on network "peapod-t" for sandbox sb1: invalid config (cni error code 7)');
      return true;
    });
    assert.equal(exec.calls.length, 1);
  });
});

describe('CniInvoker.del', () => {
  test('runs the plugins in reverse, each with the cached result and the same runtimeConfig', async () => {
    const { exec, inv } = invoker(() => undefined);
    await inv.del(list, args, caps, bridgeResult);
    assert.deepEqual(exec.calls.map((c) => [c.file, c.env.CNI_COMMAND]), [
      ['/usr/lib/cni/portmap', 'DEL'],
      ['/usr/lib/cni/bridge', 'DEL'],
    ]);
    for (const c of exec.calls) assert.deepEqual(conf(c).prevResult, bridgeResult);
    assert.deepEqual(conf(exec.calls[0]!).runtimeConfig, caps);
  });

  test('runs only bridge DEL for a list recorded without portmap', async () => {
    const { exec, inv } = invoker(() => undefined);
    await inv.del(selectPlugins(list, {}), args, { portMappings: [] }, bridgeResult);
    assert.deepEqual(exec.calls.map((c) => [c.file, c.env.CNI_COMMAND]), [['/usr/lib/cni/bridge', 'DEL']]);
  });

  test('still runs the remaining plugins after one fails, then throws the first error', async () => {
    const { exec, inv } = invoker((c) => (c.file.endsWith('portmap') ? { code: 1, stdout: '{"code":999,"msg":"iptables failed"}' } : undefined));
    await assert.rejects(inv.del(list, args, caps), /cni portmap DEL .*iptables failed/);
    assert.equal(exec.calls.length, 2);
  });
});
