import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  buildCniArgs,
  buildCniEnv,
  buildPluginConfig,
  describePluginFailure,
  gatewayOf,
  masqueradesPerPod,
  networkOf,
  parsePluginFailure,
  parseResult,
  podAddressOf,
  renderBridgeConflist,
  renderLoopbackConflist,
  selectPlugins,
  toCniPortMappings,
  type CniRuntimeArgs,
} from './cni.js';

const list = renderBridgeConflist({
  networkName: 'peapod-abc',
  bridgeName: 'ppabc',
  ipamDir: '/data/cni/ipam',
  podCidr: '10.88.201.0/24',
});

const args: CniRuntimeArgs = {
  containerId: 'sb1',
  netns: '/run/peapod-abc/netns/sb1',
  ifName: 'eth0',
  podNamespace: 'default',
  podName: 'web',
  podUid: 'uid-1',
};

describe('gatewayOf', () => {
  const cases: [string, string, string][] = [
    ['uses the first host of a /16', '10.88.0.0/16', '10.88.0.1'],
    ['uses the first host of a /24', '10.88.201.0/24', '10.88.201.1'],
    ['masks host bits before picking the first host', '10.88.201.77/24', '10.88.201.1'],
    ['handles a /30', '192.168.4.8/30', '192.168.4.9'],
  ];
  for (const [name, cidr, want] of cases) test(name, () => assert.equal(gatewayOf(cidr), want));

  test('rejects a CIDR that is not IPv4', () => assert.throws(() => gatewayOf('fd00::/64'), /not an IPv4 CIDR/));
  test('gives the network address of a CIDR with host bits set', () => assert.equal(networkOf('10.88.201.77/24'), '10.88.201.0/24'));
  test('keeps a CIDR that is already a network', () => assert.equal(networkOf('10.88.0.0/16'), '10.88.0.0/16'));
  test('rejects a /32', () => assert.throws(() => gatewayOf('10.0.0.1/32'), /prefix length/));
});

describe('renderBridgeConflist', () => {
  test('renders bridge without per-pod masquerade, host-local in our ipam dir, then portmap with the capability', () => {
    assert.deepEqual(list, {
      cniVersion: '1.0.0',
      name: 'peapod-abc',
      plugins: [
        {
          type: 'bridge',
          bridge: 'ppabc',
          isGateway: true,
          ipMasq: false,
          hairpinMode: true,
          ipam: {
            type: 'host-local',
            dataDir: '/data/cni/ipam',
            ranges: [[{ subnet: '10.88.201.0/24', gateway: '10.88.201.1' }]],
            routes: [{ dst: '0.0.0.0/0' }],
          },
        },
        { type: 'portmap', capabilities: { portMappings: true }, snat: true },
      ],
    });
  });

  test('renders loopback as its own network', () => {
    assert.deepEqual(renderLoopbackConflist(), {
      cniVersion: '1.0.0',
      name: 'cni-loopback',
      plugins: [{ type: 'loopback' }],
    });
  });
});

describe('selectPlugins', () => {
  const types = (caps: Parameters<typeof selectPlugins>[1]) => selectPlugins(list, caps).plugins.map((p) => p.type);
  const cases: [string, Parameters<typeof selectPlugins>[1], string[]][] = [
    ['runs only bridge when the pod has no port mappings', { portMappings: [] }, ['bridge']],
    ['runs only bridge when the capability arg is absent', {}, ['bridge']],
    [
      'runs only bridge when no mapping has a host port',
      { portMappings: [{ hostPort: 0, containerPort: 80, protocol: 'tcp' }] },
      ['bridge'],
    ],
    [
      'runs bridge then portmap when a mapping has a host port',
      { portMappings: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }] },
      ['bridge', 'portmap'],
    ],
  ];
  for (const [name, caps, want] of cases) test(name, () => assert.deepEqual(types(caps), want));

  test('keeps the list name and version so the cache and DEL address the same network', () => {
    const selected = selectPlugins(list, {});
    assert.equal(selected.name, list.name);
    assert.equal(selected.cniVersion, list.cniVersion);
    assert.deepEqual(selected.plugins[0], list.plugins[0]);
  });
});

describe('masqueradesPerPod', () => {
  test('is false for the rendered list (the node masquerades)', () => assert.equal(masqueradesPerPod(list), false));
  test('is true for an old list with bridge ipMasq on', () => {
    const old = { ...list, plugins: list.plugins.map((p) => (p.type === 'bridge' ? { ...p, ipMasq: true } : p)) };
    assert.equal(masqueradesPerPod(old), true);
  });
});

describe('buildPluginConfig', () => {
  const caps = { portMappings: toCniPortMappings([{ protocol: 'TCP', containerPort: 80, hostPort: 8080 }]) };
  const prev = { cniVersion: '1.0.0', ips: [{ address: '10.88.201.2/24' }] };

  test('copies the list name and version into the plugin', () => {
    const conf = buildPluginConfig(list, list.plugins[0]!, caps, undefined);
    assert.equal(conf.name, 'peapod-abc');
    assert.equal(conf.cniVersion, '1.0.0');
    assert.equal(conf.type, 'bridge');
  });

  test('gives a plugin without capabilities no runtimeConfig even when args exist', () => {
    const conf = buildPluginConfig(list, list.plugins[0]!, caps, undefined);
    assert.equal('runtimeConfig' in conf, false);
    assert.equal('prevResult' in conf, false);
  });

  test('strips capabilities and injects runtimeConfig.portMappings with lower-case protocol', () => {
    const conf = buildPluginConfig(list, list.plugins[1]!, caps, prev);
    assert.equal('capabilities' in conf, false);
    assert.deepEqual(conf.runtimeConfig, {
      portMappings: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }],
    });
    assert.deepEqual(conf.prevResult, prev);
    assert.equal(conf.snat, true);
  });

  test('keeps an empty portMappings list so DEL and ADD agree', () => {
    const conf = buildPluginConfig(list, list.plugins[1]!, { portMappings: [] }, undefined);
    assert.deepEqual(conf.runtimeConfig, { portMappings: [] });
  });

  test('omits runtimeConfig when the capability arg is absent', () => {
    const conf = buildPluginConfig(list, list.plugins[1]!, {}, undefined);
    assert.equal('runtimeConfig' in conf, false);
  });

  test('passes hostIP only when set', () => {
    const m = toCniPortMappings([
      { protocol: 'UDP', containerPort: 53, hostPort: 5353, hostIP: '127.0.0.1' },
      { protocol: 'TCP', containerPort: 80, hostPort: 8080, hostIP: '' },
    ]);
    assert.deepEqual(m, [
      { hostPort: 5353, containerPort: 53, protocol: 'udp', hostIP: '127.0.0.1' },
      { hostPort: 8080, containerPort: 80, protocol: 'tcp' },
    ]);
  });
});

describe('buildCniEnv', () => {
  test('sets every CNI_* variable and the PATH plugins need for iptables', () => {
    const env = buildCniEnv({ command: 'ADD', args, cniPath: ['/usr/lib/cni', '/opt/cni/bin'], basePath: '/usr/sbin:/usr/bin' });
    assert.deepEqual(env, {
      PATH: '/usr/sbin:/usr/bin',
      CNI_COMMAND: 'ADD',
      CNI_CONTAINERID: 'sb1',
      CNI_NETNS: '/run/peapod-abc/netns/sb1',
      CNI_IFNAME: 'eth0',
      CNI_PATH: '/usr/lib/cni:/opt/cni/bin',
      CNI_ARGS: 'IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web;K8S_POD_INFRA_CONTAINER_ID=sb1;K8S_POD_UID=uid-1',
    });
  });

  test('builds CNI_ARGS pairs with IgnoreUnknown first', () => {
    assert.deepEqual(buildCniArgs(args)[0], ['IgnoreUnknown', '1']);
    assert.equal(buildCniArgs(args).length, 5);
  });
});

describe('parsePluginFailure', () => {
  const cases: [string, string, string, { code: number; msg: string; details?: string }][] = [
    [
      'reads the JSON error object a plugin prints on stdout',
      '{"code":4,"msg":"required env variables [CNI_NETNS] missing"}',
      '',
      { code: 4, msg: 'required env variables [CNI_NETNS] missing' },
    ],
    [
      'keeps details when present',
      '{"code":999,"msg":"failed to set bridge addr","details":"could not add IP address"}',
      '',
      { code: 999, msg: 'failed to set bridge addr', details: 'could not add IP address' },
    ],
    ['falls back to stderr when stdout is not JSON', 'garbage', 'panic: boom\n', { code: 0, msg: 'panic: boom' }],
    ['falls back to the exit status when the plugin printed nothing', '', '', { code: 0, msg: 'exit status 1' }],
  ];
  for (const [name, stdout, stderr, want] of cases) {
    test(name, () => assert.deepEqual(parsePluginFailure(1, stdout, stderr), want));
  }

  test('describes a failure with its details and code', () => {
    assert.equal(describePluginFailure({ code: 7, msg: 'bad config', details: 'no bridge' }), 'bad config: no bridge (cni error code 7)');
    assert.equal(describePluginFailure({ code: 0, msg: 'exit status 2' }), 'exit status 2');
  });
});

describe('result parsing', () => {
  const verified =
    '{"cniVersion":"1.0.0","interfaces":[{"name":"ppabc","mac":"5e:da:31:e8:76:25"},{"name":"vethb37e129e","mac":"9e:c1:d6:c1:b7:c3"},{"name":"eth0","mac":"86:c4:7b:78:f4:15","sandbox":"/run/peapod-abc/netns/sb1"}],"ips":[{"interface":2,"address":"10.88.202.2/24","gateway":"10.88.202.1"}],"routes":[{"dst":"0.0.0.0/0"}],"dns":{}}';

  test('takes the IPv4 address of the sandbox interface and the gateway from a 1.0.0 result', () => {
    assert.deepEqual(podAddressOf(parseResult(verified)), { ip: '10.88.202.2', gateway: '10.88.202.1' });
  });

  test('prefers the sandbox interface over a host-side address', () => {
    const r = {
      interfaces: [{ name: 'br' }, { name: 'eth0', sandbox: '/ns' }],
      ips: [
        { interface: 0, address: '10.0.0.1/24' },
        { interface: 1, address: '10.0.0.5/24', gateway: '10.0.0.1' },
      ],
    };
    assert.deepEqual(podAddressOf(r), { ip: '10.0.0.5', gateway: '10.0.0.1' });
  });

  test('fails when the result has no IPv4 address', () => {
    assert.throws(() => podAddressOf({ ips: [{ address: 'fd00::2/64' }] }), /no IPv4 address/);
  });

  test('fails on output that is not JSON', () => {
    assert.throws(() => parseResult('oops'), /not JSON/);
  });
});
