import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecordingExec } from './fake-exec.js';
import { renderHostNetworkHosts, renderHosts, renderResolvConf, sandboxFilePaths, unmountShm } from './sandbox-files.js';

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

test('shm is unmounted lazily with the path as given, never canonicalized by umount(8) (issue 6)', async () => {
  const exec = new RecordingExec();
  await unmountShm(exec, '/var/lib/peapod/sandboxes/sb1/shm');
  assert.deepEqual(exec.calls.map((c) => [c.file, ...c.args]), [['umount', '--no-canonicalize', '-l', '/var/lib/peapod/sandboxes/sb1/shm']]);
});

test('unmounting a shm that is not mounted succeeds; other umount failures are errors', async () => {
  // util-linux 2.38.1's words for a dir that is not a mount point, and for a path that is gone.
  for (const stderr of ['umount: /x/shm: not mounted.', 'umount: /x/shm: no mount point specified.']) {
    await unmountShm(new RecordingExec(() => ({ code: 32, stdout: '', stderr })), '/x/shm');
  }
  const denied = new RecordingExec(() => ({ code: 32, stdout: '', stderr: 'umount: /x/shm: permission denied.' }));
  await assert.rejects(unmountShm(denied, '/x/shm'), { message: 'unmount shm /x/shm: umount: /x/shm: permission denied.' });
});
