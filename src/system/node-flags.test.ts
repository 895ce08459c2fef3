import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { missingMallocTunables, missingNodeFlags, SERVE_MALLOC_TUNABLES, SERVE_NODE_FLAGS, serveEnv } from './node-flags.js';

test('a flag given on the command line or in NODE_OPTIONS, with any value or spelling, is not missing', () => {
  assert.deepEqual(missingNodeFlags(['--max-semi-space-size=4'], ''), []);
  assert.deepEqual(missingNodeFlags([], '--inspect --max_semi_space_size=8'), []);
});

test('without them, every serve flag is missing', () => {
  assert.deepEqual(missingNodeFlags([], ''), [...SERVE_NODE_FLAGS]);
  assert.deepEqual(missingNodeFlags(['--max-old-space-size=64'], '--trace-gc'), [...SERVE_NODE_FLAGS]);
});

test("serve's malloc tunables are added to GLIBC_TUNABLES, keeping what it had and what it already sets", () => {
  assert.equal(serveEnv({ PATH: '/bin' }).GLIBC_TUNABLES, SERVE_MALLOC_TUNABLES.join(':'));
  assert.equal(serveEnv({ GLIBC_TUNABLES: 'glibc.pthread.rseq=0' }).GLIBC_TUNABLES, ['glibc.pthread.rseq=0', ...SERVE_MALLOC_TUNABLES].join(':'));
  const mine = { GLIBC_TUNABLES: 'glibc.malloc.mmap_threshold=65536' };
  assert.equal(serveEnv(mine).GLIBC_TUNABLES, 'glibc.malloc.mmap_threshold=65536:glibc.malloc.trim_threshold=131072', 'a value of its own is kept');
  const full = { GLIBC_TUNABLES: SERVE_MALLOC_TUNABLES.join(':') };
  assert.equal(serveEnv(full), full);
  assert.deepEqual(missingMallocTunables(''), [...SERVE_MALLOC_TUNABLES]);
});

test("bin/peapod.js's shell lines and the setup script start serve with the flags and tunables named here", () => {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  // (src/cli/startup.test.ts runs those lines: serve gets them, other commands do not)
  const shellLines = readFileSync(`${root}bin/peapod.js`, 'utf8').split('\n').slice(0, 2).join('\n');
  const script = readFileSync(`${root}scripts/setup-and-run.sh`, 'utf8');
  for (const text of [shellLines, script]) {
    assert.ok(text.includes(SERVE_MALLOC_TUNABLES.join(':')) && text.includes('GLIBC_TUNABLES='), text);
    for (const flag of SERVE_NODE_FLAGS) assert.ok(text.includes(flag), text);
  }
});
