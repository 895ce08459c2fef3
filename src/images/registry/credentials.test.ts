import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { Secret } from '../../k8s/types.js';
import { InvalidImageNameError } from '../reference.js';
import {
  CredentialKeyring,
  decodeAuthField,
  dedupeCredentials,
  globMatch,
  loadNodeKeyring,
  lookupPodCredentials,
  nodeConfigPath,
  parseDockerConfig,
  parseRegistryKey,
  readNodeCredentials,
  readPullSecret,
  type DockerConfigEntry,
} from './credentials.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const PASSWORD = 's3cr3t-Pa55';
const AUTH = b64(`alice:${PASSWORD}`);

function secret(name: string, type: string | undefined, data?: Record<string, string>): Secret {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'default' }, ...(type ? { type } : {}), ...(data ? { data } : {}) };
}

function dockerConfigJsonSecret(name: string, auths: Record<string, unknown>): Secret {
  return secret(name, 'kubernetes.io/dockerconfigjson', { '.dockerconfigjson': b64(JSON.stringify({ auths })) });
}

function assertNoSecrets(texts: string[]): void {
  for (const t of texts) {
    assert.ok(!t.includes(PASSWORD), `message leaks the password: ${t}`);
    assert.ok(!t.includes(AUTH), `message leaks the auth string: ${t}`);
  }
}

// ---- decodeAuthField --------------------------------------------------------------------------------

test('decodeAuthField splits base64 "user:pass" at the first colon', () => {
  assert.deepEqual(decodeAuthField(b64('bob:pa:ss')), { username: 'bob', password: 'pa:ss' });
});

test('decodeAuthField accepts unpadded base64, as the kubelet does', () => {
  const padded = b64('ab:c');
  assert.ok(padded.endsWith('='));
  assert.deepEqual(decodeAuthField(padded.replace(/=+$/, '')), { username: 'ab', password: 'c' });
});

test('decodeAuthField keeps an empty username or password', () => {
  assert.deepEqual(decodeAuthField(b64(':token')), { username: '', password: 'token' });
  assert.deepEqual(decodeAuthField(b64('user:')), { username: 'user', password: '' });
});

test('decodeAuthField rejects text without a colon and text that is not base64', () => {
  assert.equal(decodeAuthField(b64('nocolon')), undefined);
  assert.equal(decodeAuthField('not base64!'), undefined);
  assert.equal(decodeAuthField('abcde'), undefined);
});

// ---- parseDockerConfig ------------------------------------------------------------------------------

test('parseDockerConfig reads config.json auths with username and password', () => {
  const text = JSON.stringify({ auths: { 'reg.io': { username: 'u', password: 'p', email: 'e@x' } } });
  assert.deepEqual(parseDockerConfig(text, 'config.json'), { entries: [{ key: 'reg.io', username: 'u', password: 'p' }], problems: [] });
});

test('parseDockerConfig lets auth replace username and password, as the kubelet does', () => {
  const text = JSON.stringify({ auths: { 'reg.io': { username: 'other', password: 'x', auth: AUTH } } });
  assert.deepEqual(parseDockerConfig(text, 'config.json').entries, [{ key: 'reg.io', username: 'alice', password: PASSWORD }]);
});

test('parseDockerConfig fills username and password from auth alone', () => {
  const text = JSON.stringify({ auths: { 'https://index.docker.io/v1/': { auth: AUTH } } });
  assert.deepEqual(parseDockerConfig(text, 'config.json').entries, [{ key: 'https://index.docker.io/v1/', username: 'alice', password: PASSWORD }]);
});

test('parseDockerConfig reads the legacy .dockercfg layout (entries at the top level)', () => {
  const text = JSON.stringify({ 'reg.io': { auth: AUTH, email: 'a@b' } });
  assert.deepEqual(parseDockerConfig(text, 'dockercfg'), { entries: [{ key: 'reg.io', username: 'alice', password: PASSWORD }], problems: [] });
});

test('parseDockerConfig skips entries with no credentials without calling them problems', () => {
  const text = JSON.stringify({ auths: { 'a.io': {}, 'b.io': { email: 'x@y' }, 'c.io': { identitytoken: 'tok' }, 'd.io': { auth: '' } } });
  assert.deepEqual(parseDockerConfig(text, 'config.json'), { entries: [], problems: [] });
});

test('parseDockerConfig takes a config.json without auths (credsStore only) as empty', () => {
  assert.deepEqual(parseDockerConfig(JSON.stringify({ credsStore: 'desktop' }), 'config.json'), { entries: [], problems: [] });
});

test('parseDockerConfig reports a config.json written in the legacy layout', () => {
  const r = parseDockerConfig(JSON.stringify({ 'reg.io': { auth: AUTH } }), 'config.json');
  assert.equal(r.entries.length, 0);
  assert.match(r.problems[0]!, /no "auths".*legacy/);
});

const badDocs: [string, string, RegExp][] = [
  ['text that is not JSON', `{"auths": {"reg.io": {"auth": "${AUTH}"`, /not valid JSON/],
  ['a JSON array', '[]', /not a JSON object/],
  ['auths that is not an object', '{"auths": "x"}', /"auths" is not a JSON object/],
];
for (const [name, text, want] of badDocs) {
  test(`parseDockerConfig reports ${name} without quoting it`, () => {
    const r = parseDockerConfig(text, 'config.json');
    assert.equal(r.entries.length, 0);
    assert.equal(r.problems.length, 1);
    assert.match(r.problems[0]!, want);
    assertNoSecrets(r.problems);
  });
}

test('parseDockerConfig skips a bad entry, names its key, and keeps the good ones', () => {
  const text = JSON.stringify({
    auths: {
      'bad-auth.io': { auth: b64(`nocolon${PASSWORD}`) },
      'bad-type.io': { username: 'u', password: 42 },
      'not-object.io': 'x',
      'good.io': { username: 'u', password: PASSWORD },
    },
  });
  const r = parseDockerConfig(text, 'config.json');
  assert.deepEqual(r.entries, [{ key: 'good.io', username: 'u', password: PASSWORD }]);
  assert.equal(r.problems.length, 3);
  assert.match(r.problems[0]!, /entry "bad-auth.io": "auth" is not base64 of "username:password"/);
  assert.match(r.problems[1]!, /entry "bad-type.io": "password" is not a string/);
  assert.match(r.problems[2]!, /entry "not-object.io": is not a JSON object/);
  assertNoSecrets(r.problems);
});

test('parseDockerConfig reports a key that is not a registry address, blanking user info', () => {
  const text = JSON.stringify({ auths: { [`https://alice:${PASSWORD}@reg.io`]: { auth: AUTH }, 'ftp://reg.io': { auth: AUTH }, '': { auth: AUTH } } });
  const r = parseDockerConfig(text, 'config.json');
  assert.equal(r.entries.length, 0);
  assert.equal(r.problems.length, 3);
  assert.match(r.problems[0]!, /entry "https:\/\/\*\*\*@reg.io": not a registry address/);
  assertNoSecrets(r.problems);
});

// ---- readPullSecret -----------------------------------------------------------------------------------

test('readPullSecret reads a kubernetes.io/dockerconfigjson secret', () => {
  const r = readPullSecret(dockerConfigJsonSecret('regcred', { 'reg.io:5000': { username: 'u', password: 'p', auth: b64('u:p') } }));
  assert.deepEqual(r, { source: 'secret default/regcred', entries: [{ key: 'reg.io:5000', username: 'u', password: 'p' }], problems: [] });
});

test('readPullSecret reads a kubernetes.io/dockercfg secret', () => {
  const r = readPullSecret(secret('old', 'kubernetes.io/dockercfg', { '.dockercfg': b64(JSON.stringify({ 'reg.io': { auth: AUTH, email: 'x' } })) }));
  assert.deepEqual(r?.entries, [{ key: 'reg.io', username: 'alice', password: PASSWORD }]);
});

test('readPullSecret ignores secrets of other types, and a dockercfg key under the wrong type', () => {
  assert.equal(readPullSecret(secret('o', 'Opaque', { '.dockerconfigjson': b64('{}') })), undefined);
  assert.equal(readPullSecret(secret('o', undefined, { '.dockerconfigjson': b64('{}') })), undefined);
  const wrongKey = readPullSecret(secret('w', 'kubernetes.io/dockercfg', { '.dockerconfigjson': b64('{"auths":{}}') }));
  assert.match(wrongKey!.problems[0]!, /has no data\["\.dockercfg"\]/);
});

const badSecrets: [string, Secret, RegExp][] = [
  ['no data', secret('s', 'kubernetes.io/dockerconfigjson'), /secret default\/s \(type kubernetes.io\/dockerconfigjson\): has no data\["\.dockerconfigjson"\]/],
  ['data that is not base64', secret('s', 'kubernetes.io/dockerconfigjson', { '.dockerconfigjson': `{"auths":{"r.io":{"auth":"${AUTH}"}}}` }), /is not base64/],
  ['content that is not JSON', secret('s', 'kubernetes.io/dockerconfigjson', { '.dockerconfigjson': b64(`{"auths": ${PASSWORD}`) }), /secret default\/s: data\["\.dockerconfigjson"\] is not valid JSON/],
  ['an entry whose auth does not decode', dockerConfigJsonSecret('s', { 'r.io': { auth: b64(PASSWORD) } }), /secret default\/s: data\["\.dockerconfigjson"\] entry "r.io": "auth" is not base64/],
];
for (const [name, s, want] of badSecrets) {
  test(`readPullSecret reports a pull secret with ${name}, naming it and not its content`, () => {
    const r = readPullSecret(s);
    assert.ok(r);
    assert.equal(r.entries.length, 0);
    assert.equal(r.problems.length, 1);
    assert.match(r.problems[0]!, want);
    assertNoSecrets(r.problems);
    assert.ok(!r.problems[0]!.includes(b64(PASSWORD)));
  });
}

// ---- parseRegistryKey and globMatch -------------------------------------------------------------------

const keys: [string, string | undefined][] = [
  ['reg.io', 'reg.io'],
  ['https://reg.io', 'reg.io'],
  ['http://reg.io:5000/', 'reg.io:5000'],
  ['Reg.IO/Team', 'reg.io/Team'],
  ['https://index.docker.io/v1/', 'docker.io'],
  ['index.docker.io', 'docker.io'],
  ['registry-1.docker.io', 'docker.io'],
  ['registry-1.docker.io:443', 'registry-1.docker.io:443'],
  ['reg.io/v2/team/app/', 'reg.io/team/app'],
  ['reg.io/v2', 'reg.io/v2'],
  ['[::1]:5000/x', '[::1]:5000/x'],
  ['reg.io:', undefined],
  ['reg.io:http', undefined],
  ['user@reg.io', undefined],
  ['ftp://reg.io', undefined],
  ['reg io', undefined],
  ['', undefined],
];
for (const [key, index] of keys) {
  test(`parseRegistryKey ${JSON.stringify(key)} → ${index ?? 'invalid'}`, () => {
    assert.equal(parseRegistryKey(key)?.index, index);
  });
}

const globs: [string, string, boolean][] = [
  ['*', 'anything', true],
  ['reg*', 'registry', true],
  ['r?g', 'reg', true],
  ['r?g', 'rg', false],
  ['[a-c]x', 'bx', true],
  ['[a-c]x', 'dx', false],
  ['[^a-c]x', 'dx', true],
  ['\\*', '*', true],
  ['\\*', 'a', false],
  ['a.b', 'axb', false],
  ['[', 'x', false],
  ['[]', 'x', false],
  ['[-a]', '-', false],
  ['a\\', 'a', false],
];
for (const [pattern, text, want] of globs) {
  test(`globMatch ${JSON.stringify(pattern)} ${want ? 'matches' : 'does not match'} ${JSON.stringify(text)}`, () => {
    assert.equal(globMatch(pattern, text), want);
  });
}

// ---- keyring matching -----------------------------------------------------------------------------------

const matching: [string, string, string, boolean][] = [
  ['a host key matches every repository of that host', 'reg.io', 'reg.io/a/b:1', true],
  ['an https:// key matches', 'https://reg.io', 'reg.io/a', true],
  ['an http:// key matches', 'http://reg.io', 'reg.io/a', true],
  ['a key with a trailing slash matches', 'https://reg.io/', 'reg.io/a', true],
  ['another host does not match', 'reg.io', 'other.io/a', false],
  ['a subdomain does not match a host key', 'reg.io', 'eu.reg.io/a', false],
  ['a glob label matches one label', '*.reg.io', 'eu.reg.io/a', true],
  ['a glob label does not match the bare domain', '*.reg.io', 'reg.io/a', false],
  ['a glob label does not match two labels', '*.reg.io', 'a.eu.reg.io/a', false],
  ['globs apply to every label', '*.*.io', 'a.reg.io/a', true],
  ['a glob inside a label matches', 'reg-*.example.com', 'reg-eu.example.com/a', true],
  ['ports must be equal', 'reg.io:5000', 'reg.io:5000/a', true],
  ['a key without a port does not match an image with one', 'reg.io', 'reg.io:5000/a', false],
  ['a key with a port does not match an image without one', 'reg.io:443', 'reg.io/a', false],
  ['another port does not match', 'reg.io:5000', 'reg.io:5001/a', false],
  ['a glob host keeps its port rule', '*.reg.io:5000', 'eu.reg.io:5000/a', true],
  ['a path key matches repositories under it', 'reg.io/team', 'reg.io/team/app', true],
  ['a path key matches the repository itself', 'reg.io/team/app', 'reg.io/team/app:1', true],
  ['a path key does not match a sibling', 'reg.io/team', 'reg.io/other/app', false],
  ['a path key matches whole segments only', 'reg.io/team', 'reg.io/team-b/app', false],
  ['a path longer than the repository does not match', 'reg.io/team/app/x', 'reg.io/team/app', false],
  ['/v2/ in a key is dropped', 'https://reg.io/v2/team', 'reg.io/team/app', true],
  ['docker.io matches a short name', 'docker.io', 'nginx', true],
  ['index.docker.io matches a short name', 'index.docker.io', 'nginx', true],
  ['https://index.docker.io/v1/ matches a short name', 'https://index.docker.io/v1/', 'nginx', true],
  ['registry-1.docker.io matches a short name', 'registry-1.docker.io', 'library/nginx', true],
  ['docker.io matches a user repository', 'https://index.docker.io/v1/', 'bitnami/nginx', true],
  ['a docker.io path key matches that user', 'docker.io/bitnami', 'bitnami/nginx', true],
  ['a docker.io path key does not match library', 'docker.io/bitnami', 'nginx', false],
  ['docker.io does not match another registry', 'docker.io', 'quay.io/a', false],
  ['a key for localhost matches', 'localhost:5000', 'localhost:5000/a', true],
  ['an IP key matches', '127.0.0.1:5000', '127.0.0.1:5000/a', true],
  ['an upper-case key host matches', 'REG.io', 'reg.io/a', true],
];
for (const [name, key, image, want] of matching) {
  test(`keyring: ${name} (${key} vs ${image})`, () => {
    const ring = new CredentialKeyring().add([{ key, username: 'u', password: 'p' }], 'test');
    assert.equal(ring.lookup(image).length, want ? 1 : 0);
  });
}

test('keyring: the most specific key comes first, in the kubelet order of its index', () => {
  const ring = new CredentialKeyring();
  ring.add([{ key: 'reg.io', username: 'host', password: 'p' }], 'a');
  ring.add([{ key: 'reg.io/team/app', username: 'app', password: 'p' }], 'b');
  ring.add([{ key: '*.io', username: 'glob', password: 'p' }], 'c');
  ring.add([{ key: 'https://reg.io/team', username: 'team', password: 'p' }], 'd');
  assert.deepEqual(
    ring.lookup('reg.io/team/app:1').map((c) => c.username),
    ['app', 'team', 'host', 'glob'],
  );
});

test('keyring: credentials under equal keys keep the order they were added in', () => {
  const ring = new CredentialKeyring();
  ring.add([{ key: 'reg.io', username: 'first', password: 'p' }], 'secret default/one');
  ring.add([{ key: 'https://reg.io/', username: 'second', password: 'p' }], 'secret default/two');
  assert.deepEqual(ring.lookup('reg.io/a'), [
    { username: 'first', password: 'p', source: 'secret default/one' },
    { username: 'second', password: 'p', source: 'secret default/two' },
  ]);
});

test('keyring: docker.io aliases are one key for ordering', () => {
  const ring = new CredentialKeyring();
  ring.add([{ key: 'https://index.docker.io/v1/', username: 'hub', password: 'p' }]);
  ring.add([{ key: 'docker.io/library', username: 'lib', password: 'p' }]);
  assert.deepEqual(ring.lookup('busybox').map((c) => c.username), ['lib', 'hub']);
});

test('keyring: lookup takes a parsed reference and throws for an invalid one', () => {
  const ring = new CredentialKeyring().add([{ key: 'reg.io', username: 'u', password: 'p' }]);
  assert.equal(ring.lookup({ domain: 'reg.io', path: 'x' }).length, 1);
  assert.throws(() => ring.lookup('Bad Name'), InvalidImageNameError);
});

test('keyring: lookup returns copies; a credential has no source unless given', () => {
  const ring = new CredentialKeyring().add([{ key: 'reg.io', username: 'u', password: 'p' }]);
  const [c] = ring.lookup('reg.io/a');
  assert.deepEqual(c, { username: 'u', password: 'p' });
  c!.username = 'changed';
  assert.equal(ring.lookup('reg.io/a')[0]!.username, 'u');
  assert.equal(ring.size, 1);
});

test('keyring: entries with an unparsable key are skipped', () => {
  const ring = new CredentialKeyring().add([{ key: 'bad key', username: 'u', password: 'p' }]);
  assert.equal(ring.size, 0);
});

// ---- lookupPodCredentials -----------------------------------------------------------------------------

function podSecrets(list: Secret[]): (name: string) => Secret | undefined {
  return (name) => list.find((s) => s.metadata.name === name);
}

test('lookupPodCredentials: the pod secrets come first, then the node keyring', () => {
  const node = new CredentialKeyring().add([{ key: 'reg.io', username: 'node', password: 'n' }], 'node config /d/config.json');
  const r = lookupPodCredentials({
    namespace: 'default',
    imagePullSecrets: ['one', 'two'],
    getSecret: podSecrets([
      dockerConfigJsonSecret('one', { 'reg.io': { username: 'one', password: '1' } }),
      dockerConfigJsonSecret('two', { 'reg.io': { username: 'two', password: '2' } }),
    ]),
    nodeKeyring: node,
    image: 'reg.io/app:1',
  });
  assert.deepEqual(r, {
    credentials: [
      { username: 'one', password: '1', source: 'secret default/one' },
      { username: 'two', password: '2', source: 'secret default/two' },
      { username: 'node', password: 'n', source: 'node config /d/config.json' },
    ],
    warnings: [],
    problems: [],
  });
});

test('lookupPodCredentials: the pod secrets form one keyring, so a more specific key wins over the listing order', () => {
  const r = lookupPodCredentials({
    imagePullSecrets: ['host', 'team'],
    getSecret: podSecrets([
      dockerConfigJsonSecret('host', { 'reg.io': { username: 'host', password: '1' } }),
      dockerConfigJsonSecret('team', { 'reg.io/team': { username: 'team', password: '2' } }),
    ]),
    image: 'reg.io/team/app',
  });
  assert.deepEqual(r.credentials.map((c) => c.username), ['team', 'host']);
});

test('lookupPodCredentials: a missing secret is a warning and the others still count', () => {
  const r = lookupPodCredentials({
    namespace: 'prod',
    imagePullSecrets: ['gone', 'ok'],
    getSecret: podSecrets([dockerConfigJsonSecret('ok', { 'reg.io': { username: 'u', password: 'p' } })]),
    image: 'reg.io/app',
  });
  assert.equal(r.credentials.length, 1);
  assert.deepEqual(r.warnings, ['pull secret "prod/gone" not found; pulling without it may fail']);
  assert.deepEqual(r.problems, []);
});

test('lookupPodCredentials: secrets of other types are ignored, malformed ones reported', () => {
  const r = lookupPodCredentials({
    imagePullSecrets: ['opaque', 'broken', ''],
    getSecret: podSecrets([
      secret('opaque', 'Opaque', { x: b64('y') }),
      secret('broken', 'kubernetes.io/dockerconfigjson', { '.dockerconfigjson': b64(`{"auths": {"reg.io": {"auth": "${AUTH}"}`) }),
    ]),
    image: 'reg.io/app',
  });
  assert.deepEqual(r.credentials, []);
  assert.deepEqual(r.warnings, []);
  assert.deepEqual(r.problems, ['secret default/broken: data[".dockerconfigjson"] is not valid JSON']);
});

test('lookupPodCredentials: no match anywhere means an anonymous pull', () => {
  const r = lookupPodCredentials({
    imagePullSecrets: ['one'],
    getSecret: podSecrets([dockerConfigJsonSecret('one', { 'reg.io': { username: 'u', password: 'p' } })]),
    nodeKeyring: new CredentialKeyring().add([{ key: 'other.io', username: 'n', password: 'n' }]),
    image: 'nginx',
  });
  assert.deepEqual(r.credentials, []);
});

test('lookupPodCredentials: the same username and password are tried once', () => {
  const r = lookupPodCredentials({
    imagePullSecrets: ['one'],
    getSecret: podSecrets([
      dockerConfigJsonSecret('one', { 'docker.io': { username: 'u', password: 'p' }, 'https://index.docker.io/v1/': { auth: b64('u:p') } }),
    ]),
    nodeKeyring: new CredentialKeyring().add([{ key: 'docker.io', username: 'u', password: 'p' }], 'node'),
    image: 'busybox',
  });
  assert.deepEqual(r.credentials, [{ username: 'u', password: 'p', source: 'secret default/one' }]);
});

test('dedupeCredentials keeps the first of equal pairs and tells "a:b" + "c" from "a" + "b:c"', () => {
  assert.deepEqual(
    dedupeCredentials([
      { username: 'a:b', password: 'c' },
      { username: 'a', password: 'b:c' },
      { username: 'a:b', password: 'c', source: 'later' },
    ]),
    [{ username: 'a:b', password: 'c' }, { username: 'a', password: 'b:c' }],
  );
});

// ---- the node file ------------------------------------------------------------------------------------

function withDataDir(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peapod-creds-'));
    try {
      await fn(dir);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
}

test('readNodeCredentials: no file means no credentials', withDataDir(async (dir) => {
  assert.deepEqual(await readNodeCredentials(dir), []);
  assert.equal((await loadNodeKeyring(dir)).size, 0);
}));

test('readNodeCredentials: reads <data-dir>/config.json at each call, so edits apply', withDataDir(async (dir) => {
  const file = nodeConfigPath(dir);
  assert.equal(file, path.join(dir, 'config.json'));
  fs.writeFileSync(file, JSON.stringify({ auths: { 'reg.io': { auth: AUTH } } }));
  const entries: DockerConfigEntry[] = await readNodeCredentials(dir);
  assert.deepEqual(entries, [{ key: 'reg.io', username: 'alice', password: PASSWORD }]);
  const ring = await loadNodeKeyring(dir);
  assert.deepEqual(ring.lookup('reg.io/a'), [{ username: 'alice', password: PASSWORD, source: `node config ${file}` }]);
  fs.writeFileSync(file, JSON.stringify({ auths: { 'reg.io': { username: 'bob', password: 'new' } } }));
  assert.equal((await loadNodeKeyring(dir)).lookup('reg.io/a')[0]!.username, 'bob');
  fs.rmSync(file);
  assert.equal((await loadNodeKeyring(dir)).size, 0);
}));

test('readNodeCredentials: a malformed file is an error naming the file, not its content', withDataDir(async (dir) => {
  const file = nodeConfigPath(dir);
  fs.writeFileSync(file, `{"auths": {"reg.io": {"auth": "${AUTH}"}}`);
  await assert.rejects(readNodeCredentials(dir), (e: Error) => {
    assert.equal(e.message, `node credentials ${file} is malformed: is not valid JSON`);
    assertNoSecrets([e.message, String((e as { cause?: unknown }).cause ?? '')]);
    return true;
  });
  fs.writeFileSync(file, JSON.stringify({ auths: { 'reg.io': { auth: b64(PASSWORD) }, 'ok.io': { auth: AUTH } } }));
  await assert.rejects(loadNodeKeyring(dir), (e: Error) => {
    assert.match(e.message, /node credentials .*config\.json is malformed: entry "reg.io": "auth" is not base64/);
    assertNoSecrets([e.message]);
    assert.ok(!e.message.includes(b64(PASSWORD)));
    return true;
  });
}));

test('readNodeCredentials: a config.json that is a directory is an error naming it', withDataDir(async (dir) => {
  fs.mkdirSync(nodeConfigPath(dir));
  await assert.rejects(readNodeCredentials(dir), new RegExp(`read node credentials ${nodeConfigPath(dir).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: EISDIR`));
}));
