import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LinuxContainerSecurity } from '../runtime.js';
import { seccompArchOf } from './host.js';
import { effectiveSeccomp, SeccompProfiles } from './profiles.js';

const HOST = { arch: 'amd64', kernel: [6, 1, 0] as const, errno: { EPERM: 1 } };
const DEFAULT = JSON.stringify({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read', 'unshare'], action: 'SCMP_ACT_ALLOW' }] });
const security = (over: Partial<LinuxContainerSecurity> = {}): LinuxContainerSecurity => ({
  privileged: false, supplementalGroups: [], readonlyRootfs: false, noNewPrivileges: false, capabilitiesAdd: [], capabilitiesDrop: [], ...over,
});

function files(content: Record<string, string>) {
  const reads: string[] = [];
  const readFile = async (p: string) => {
    reads.push(p);
    if (content[p] === undefined) throw Object.assign(new Error(`ENOENT: no such file or directory, open '${p}'`), { code: 'ENOENT' });
    return content[p];
  };
  return { reads, readFile };
}

test('the RuntimeDefault profile is read and parsed once, with namespace creation restricted', async () => {
  const f = files({ '/d.json': DEFAULT });
  const p = new SeccompProfiles({ host: HOST, defaultProfilePath: '/d.json', readFile: f.readFile });
  const a = await p.resolve(security({ seccompProfile: { type: 'RuntimeDefault' } }));
  const b = await p.resolve(security({ seccompProfile: { type: 'RuntimeDefault' } }));
  assert.deepEqual(f.reads, ['/d.json']);
  assert.equal(a?.profile, b?.profile);
  assert.deepEqual(a?.profile.syscalls[0].names, ['read']);
  assert.deepEqual([a?.arch, a?.kernel], ['amd64', [6, 1, 0]]);
});

test('a missing RuntimeDefault profile names the file and the package, and is retried on the next create', async () => {
  const content: Record<string, string> = {};
  const f = files(content);
  const p = new SeccompProfiles({ host: HOST, defaultProfilePath: '/d.json', readFile: f.readFile });
  await assert.rejects(p.runtimeDefault(), /unable to load the RuntimeDefault seccomp profile "\/d\.json": ENOENT.*install package golang-github-containers-common/);
  content['/d.json'] = DEFAULT;
  assert.equal((await p.runtimeDefault()).defaultAction, 'SCMP_ACT_ERRNO');
});

test('a Localhost profile is read on every create, and a missing or broken one names the file', async () => {
  const content: Record<string, string> = { '/sc/ok.json': '{"defaultAction":"SCMP_ACT_ALLOW"}', '/sc/bad.json': '{"defaultAction":' };
  const f = files(content);
  const p = new SeccompProfiles({ host: HOST, readFile: f.readFile });
  const at = (localhostRef: string) => p.resolve(security({ seccompProfile: { type: 'Localhost', localhostRef } }));
  await at('/sc/ok.json');
  await at('/sc/ok.json');
  assert.deepEqual(f.reads, ['/sc/ok.json', '/sc/ok.json']);
  await assert.rejects(at('/sc/missing.json'), /^Error: unable to load local seccomp profile "\/sc\/missing\.json": ENOENT/);
  await assert.rejects(at('/sc/bad.json'), /unable to load local seccomp profile "\/sc\/bad\.json": decoding seccomp profile failed/);
});

test('privileged and unset profiles resolve to unconfined without reading anything', async () => {
  const f = files({});
  const p = new SeccompProfiles({ host: HOST, readFile: f.readFile });
  assert.equal(await p.resolve(security()), undefined);
  assert.equal(await p.resolve(security({ privileged: true, seccompProfile: { type: 'Localhost', localhostRef: '/sc/missing.json' } })), undefined);
  assert.equal(effectiveSeccomp(security({ privileged: true, seccompProfile: { type: 'RuntimeDefault' } })), undefined);
  assert.deepEqual(f.reads, []);
});

test("node's arch names map to libseccomp's", () => {
  assert.equal(seccompArchOf('x64'), 'amd64');
  assert.equal(seccompArchOf('arm64'), 'arm64');
  assert.equal(seccompArchOf('ppc64', 'LE'), 'ppc64le');
  assert.equal(seccompArchOf('mips'), undefined);
});
