import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planPortmapScaffoldRemoval } from './portmap-scaffold.js';

const OURS = 'CNI-DN-0123456789abcdef0123';
const THEIRS = 'CNI-DN-fedcba9876543210fedc';

// As iptables-save prints what portmap made for one pod with a host port (hairpin mark included).
function save(opts: { theirs?: boolean } = {}): string {
  return [
    '*nat',
    ':PREROUTING ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':POSTROUTING ACCEPT [0:0]',
    ':CNI-HOSTPORT-DNAT - [0:0]',
    ':CNI-HOSTPORT-MASQ - [0:0]',
    ':CNI-HOSTPORT-SETMARK - [0:0]',
    `:${OURS} - [0:0]`,
    ...(opts.theirs ? [`:${THEIRS} - [0:0]`] : []),
    '-A PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT',
    '-A OUTPUT -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT',
    '-A POSTROUTING -m comment --comment "CNI portfwd requiring masquerade" -j CNI-HOSTPORT-MASQ',
    `-A CNI-DN-0123456789abcdef0123 -s 10.88.5.2/32 -p tcp -m tcp --dport 8080 -j CNI-HOSTPORT-SETMARK`,
    `-A CNI-HOSTPORT-DNAT -p tcp -m comment --comment "dnat name: \\"peapod\\" id: \\"x\\"" -m multiport --dports 8080 -j ${OURS}`,
    ...(opts.theirs ? [`-A CNI-HOSTPORT-DNAT -p tcp -m comment --comment "dnat name: \\"podman\\" id: \\"y\\"" -m multiport --dports 9090 -j ${THEIRS}`] : []),
    '-A CNI-HOSTPORT-MASQ -m mark --mark 0x2000/0x2000 -j MASQUERADE',
    '-A CNI-HOSTPORT-SETMARK -m comment --comment "CNI portfwd masquerade mark" -j MARK --set-xmark 0x2000/0x2000',
    'COMMIT',
    '',
  ].join('\n');
}

test('once our pod chains go and nobody else has any, the scaffolding goes in one script, CNI-HOSTPORT-DNAT deleted unflushed', () => {
  assert.equal(
    planPortmapScaffoldRemoval(save(), new Set([OURS])),
    [
      '*nat',
      '-D PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT',
      '-D OUTPUT -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT',
      '-D POSTROUTING -m comment --comment "CNI portfwd requiring masquerade" -j CNI-HOSTPORT-MASQ',
      '-F CNI-HOSTPORT-SETMARK',
      '-F CNI-HOSTPORT-MASQ',
      '-X CNI-HOSTPORT-DNAT',
      '-X CNI-HOSTPORT-SETMARK',
      '-X CNI-HOSTPORT-MASQ',
      'COMMIT',
      '',
    ].join('\n'),
  );
});

test('the scaffolding stays while anyone uses it, and there is nothing to do without it', () => {
  assert.equal(planPortmapScaffoldRemoval(save({ theirs: true }), new Set([OURS])), undefined, 'another engine\'s host port');
  assert.equal(planPortmapScaffoldRemoval(save(), new Set()), undefined, 'our own pod chain, not going');
  assert.equal(planPortmapScaffoldRemoval('*nat\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n'), undefined);
});
