import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeEntryName, planLayer, unescapeTarName } from './tar-listing.js';

const unescapes: [string, string, string][] = [
  ['plain names are unchanged', 'a/b c', 'a/b c'],
  ['a doubled backslash is one backslash', 'a\\\\b', 'a\\b'],
  ['\\n is a newline', 'a\\nb', 'a\nb'],
  ['octal bytes decode as UTF-8', 'caf\\303\\251', 'café'],
];
for (const [name, input, want] of unescapes) {
  test(`unescapeTarName: ${name}`, () => assert.equal(unescapeTarName(input), want));
}

test('normalizeEntryName strips ./, leading and trailing slashes', () => {
  assert.equal(normalizeEntryName('./a/b/'), 'a/b');
  assert.equal(normalizeEntryName('/a'), 'a');
  assert.equal(normalizeEntryName('./'), '');
});

test('normalizeEntryName rejects .. components', () => {
  assert.throws(() => normalizeEntryName('a/../../etc'), /contains/);
});

test('planLayer turns .wh. entries into whiteouts of their target', () => {
  const plan = planLayer(['./', './etc/', './etc/.wh.passwd', './.wh.gone']);
  assert.deepEqual(plan.whiteouts, ['etc/passwd', 'gone']);
  assert.deepEqual(plan.opaqueDirs, []);
  assert.deepEqual(plan.impliedDirs, []);
  assert.deepEqual(plan.markers, ['.wh.gone', 'etc/.wh.passwd']);
});

test('planLayer marks the dir of .wh..wh..opq opaque', () => {
  const plan = planLayer(['./data/', './data/.wh..wh..opq', './data/new']);
  assert.deepEqual(plan.opaqueDirs, ['data']);
  assert.deepEqual(plan.whiteouts, []);
});

test('planLayer lists parent dirs the archive does not carry, shallowest first', () => {
  const plan = planLayer(['tmp/x/file', 'usr/bin/tool', 'usr/', 'var/lib/.wh.old']);
  assert.deepEqual(plan.impliedDirs, ['tmp', 'var', 'tmp/x', 'usr/bin', 'var/lib']);
});

test('planLayer ignores other AUFS metadata entries', () => {
  const plan = planLayer(['.wh..wh.plnk/', '.wh..wh.plnk/123.456']);
  assert.deepEqual(plan.whiteouts, []);
  assert.deepEqual(plan.impliedDirs, []);
  assert.deepEqual(plan.markers, ['.wh..wh.plnk']);
  // Without an entry of its own, the metadata dir is still a marker, and nothing under it is implied.
  assert.deepEqual(planLayer(['usr/.wh..wh.plnk/1.2', 'usr/bin/x']), { whiteouts: [], opaqueDirs: [], impliedDirs: ['usr', 'usr/bin'], markers: ['usr/.wh..wh.plnk'] });
});

test('planLayer makes a dir replaced in the same layer opaque instead of whiting it out', () => {
  const plan = planLayer(['.wh.app', 'app/', 'app/new']);
  assert.deepEqual(plan.whiteouts, []);
  assert.deepEqual(plan.opaqueDirs, ['app']);
});

test('planLayer rejects an empty whiteout name', () => {
  assert.throws(() => planLayer(['a/.wh.']), /invalid whiteout/);
});
