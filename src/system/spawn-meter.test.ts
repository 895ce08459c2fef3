import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { SpawnMeter } from './spawn-meter.js';

const exited = (file: string) =>
  new Promise<void>((resolve, reject) => {
    const c = spawn(file, [], { stdio: 'ignore' });
    assert.equal(typeof c.pid, 'number', 'the wrapped spawn still starts the child');
    c.on('error', reject);
    c.on('exit', () => resolve());
  });

test('the spawn meter counts child processes and how long each start blocked the loop', async () => {
  const m = new SpawnMeter();
  m.start();
  try {
    await exited('/bin/true');
    await Promise.all([exited('/bin/true'), exited('/bin/true')]);
  } finally {
    m.stop();
  }
  const s = m.snapshot();
  assert.equal(s.count, 3);
  assert.ok(s.sum > 0 && s.sum < 1, `blocked ${s.sum} s in all`);
  await exited('/bin/true');
  assert.equal(m.snapshot().count, 3, 'nothing is counted after stop');
});

test('a spawn that fails still counts, and its error still reaches the caller', async () => {
  const m = new SpawnMeter();
  m.start();
  try {
    await assert.rejects(
      new Promise((resolve, reject) => {
        const c = spawn('/nonexistent/peapod-no-such-program', [], { stdio: 'ignore' });
        c.on('error', reject);
        c.on('exit', resolve);
      }),
      /ENOENT/,
    );
  } finally {
    m.stop();
  }
  assert.equal(m.snapshot().count, 1);
});
