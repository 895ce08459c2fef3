import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderHostNetworkHosts, renderHosts, renderResolvConf, sandboxFilePaths } from './sandbox-files.js';

test('the hosts file has the kubelet header, localhost lines and the pod ip with its hostname', () => {
  const h = renderHosts('web', '10.88.0.5', []);
  assert.ok(h.startsWith('# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n'));
  assert.ok(h.endsWith('fe00::2\tip6-allrouters\n10.88.0.5\tweb\n'));
});

test('the hosts file leaves out the pod line while the ip is unknown', () => {
  assert.ok(!renderHosts('web', undefined, []).includes('web'));
});

test('host aliases are appended under their own comment, names tab-separated', () => {
  const h = renderHosts('web', '10.88.0.5', [{ ip: '1.2.3.4', hostnames: ['foo', 'bar'] }]);
  assert.ok(h.endsWith('10.88.0.5\tweb\n\n# Entries added by HostAliases.\n1.2.3.4\tfoo\tbar\n'));
});

test('a host-network pod gets the node hosts file plus its aliases', () => {
  const h = renderHostNetworkHosts('127.0.0.1 localhost', [{ ip: '1.2.3.4', hostnames: ['foo'] }]);
  assert.equal(h, '# Kubernetes-managed hosts file (host network).\n127.0.0.1 localhost\n\n# Entries added by HostAliases.\n1.2.3.4\tfoo\n');
});

test('resolv.conf lists nameservers, then search and options lines', () => {
  assert.equal(
    renderResolvConf({ servers: ['10.0.0.10', '8.8.8.8'], searches: ['default.svc.cluster.local', 'svc.cluster.local'], options: ['ndots:5'] }),
    'nameserver 10.0.0.10\nnameserver 8.8.8.8\nsearch default.svc.cluster.local svc.cluster.local\noptions ndots:5\n',
  );
});

test('an empty dns config means the node resolv.conf is used', () => {
  assert.equal(renderResolvConf({ servers: [], searches: [], options: [] }), undefined);
});

test('a hostIPC pod uses the host /dev/shm instead of its own tmpfs', () => {
  assert.equal(sandboxFilePaths('/d/sandboxes', 's1', true).shm, '/dev/shm');
  assert.equal(sandboxFilePaths('/d/sandboxes', 's1', false).shm, '/d/sandboxes/s1/shm');
});
