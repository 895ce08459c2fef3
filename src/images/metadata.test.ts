import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appletLinks } from './busybox.js';
import { buildImportConfig } from './import.js';
import { KeyedLock } from './keyed-lock.js';
import { configDiffIds, parseImageConfig } from './metadata.js';

const D = `sha256:${'1'.repeat(64)}`;

test('parseImageConfig reads the process fields and defaults WorkingDir to /', () => {
  const got = parseImageConfig({
    config: { Entrypoint: ['/e'], Cmd: ['c'], Env: ['A=1'], User: '1:2', StopSignal: 'SIGINT', ExposedPorts: { '80/tcp': {} }, Labels: { a: 'b', n: 1 } },
  });
  assert.deepEqual(got, { entrypoint: ['/e'], cmd: ['c'], env: ['A=1'], workingDir: '/', user: '1:2', stopSignal: 'SIGINT', exposedPorts: ['80/tcp'], labels: { a: 'b' } });
});

test('parseImageConfig tolerates a config without a config object', () => {
  assert.deepEqual(parseImageConfig({}).cmd, []);
});

test('the import config round-trips through parseImageConfig and carries its diff id', () => {
  const cfg = buildImportConfig(D, { cmd: ['sh'], env: ['PATH=/bin'], workingDir: '/w', user: 'nobody', entrypoint: ['/init'], stopSignal: 'SIGTERM' });
  assert.deepEqual(configDiffIds(cfg), [D]);
  const back = parseImageConfig(cfg);
  assert.deepEqual([back.cmd, back.env, back.workingDir, back.user, back.entrypoint, back.stopSignal], [['sh'], ['PATH=/bin'], '/w', 'nobody', ['/init'], 'SIGTERM']);
  assert.equal((cfg as { created?: string }).created, undefined);
});

test('configDiffIds rejects a config without valid diff ids', () => {
  assert.throws(() => configDiffIds({ rootfs: { diff_ids: ['nope'] } }), /rootfs.diff_ids/);
});

test('KeyedLock runs callers of one key one after another', async () => {
  const lock = new KeyedLock();
  const order: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const a = lock.withLock('k', async () => {
    order.push('a-start');
    await gate;
    order.push('a-end');
  });
  const b = lock.withLock('k', async () => void order.push('b'));
  const c = lock.withLock('other', async () => void order.push('c'));
  await c;
  release();
  await Promise.all([a, b]);
  assert.deepEqual(order, ['a-start', 'c', 'a-end', 'b']);
});

test('appletLinks puts every applet in /bin and at its canonical path', () => {
  assert.deepEqual(appletLinks('usr/bin/env\nsbin/ifconfig\nbin/sh\nbin/busybox\n'), [
    'bin/env', 'bin/ifconfig', 'bin/sh', 'sbin/ifconfig', 'usr/bin/env',
  ]);
});
