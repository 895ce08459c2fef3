import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkElement, checkSubPathSyntax, decideStep, elementsBelow, pathElements, type ElementKind, type WalkStep } from './subpath.js';

test('subPath syntax: relative paths without .. pass, others name the reason', () => {
  assert.equal(checkSubPathSyntax('a/b'), undefined);
  assert.equal(checkSubPathSyntax('a/..b/c..'), undefined);
  assert.equal(checkSubPathSyntax('/etc'), 'subPath /etc must be a relative path');
  assert.equal(checkSubPathSyntax('a/../b'), "subPath a/../b must not contain '..'");
});

test('path elements drop empty and . elements', () => {
  assert.deepEqual(pathElements('a//./b/'), ['a', 'b']);
  assert.deepEqual(pathElements('.'), []);
});

test('elementsBelow: the root itself, a descendant, a sibling sharing the prefix', () => {
  assert.deepEqual(elementsBelow('/v/data', '/v/data'), []);
  assert.deepEqual(elementsBelow('/v/data', '/v/data/a/b'), ['a', 'b']);
  assert.equal(elementsBelow('/v/data', '/v/data2/a'), undefined);
  assert.equal(elementsBelow('/v/data', '/'), undefined);
});

test('route elements must be single plain names', () => {
  for (const ok of ['a', '..data', '..2024_01_01', 'a..b']) assert.equal(checkElement(ok), undefined, ok);
  for (const bad of ['', '.', '..', 'a/b', 'a\0b']) assert.match(checkElement(bad) ?? '', /invalid path element/, JSON.stringify(bad));
});

const steps: { name: string; kind: ElementKind; last: boolean; justCreated?: boolean; want: WalkStep['action'] }[] = [
  { name: 'descends into a directory on the way', kind: 'directory', last: false, want: 'descend' },
  { name: 'ends on a directory', kind: 'directory', last: true, want: 'done' },
  { name: 'ends on a file', kind: 'file', last: true, want: 'done' },
  { name: 'ends on a socket, fifo or device', kind: 'other', last: true, want: 'done' },
  { name: 'creates a missing element', kind: 'missing', last: false, want: 'create' },
  { name: 'creates a missing last element', kind: 'missing', last: true, want: 'create' },
  { name: 'refuses an element that vanished right after it was created', kind: 'missing', last: false, justCreated: true, want: 'refuse' },
  { name: 'refuses a symlink on the way', kind: 'symlink', last: false, want: 'refuse' },
  { name: 'refuses a symlink at the end', kind: 'symlink', last: true, want: 'refuse' },
  { name: 'refuses a symlink made in place of a created dir', kind: 'symlink', last: true, justCreated: true, want: 'refuse' },
  { name: 'refuses a file on the way', kind: 'file', last: false, want: 'refuse' },
];
for (const c of steps) {
  test(`walk step: ${c.name}`, () => {
    assert.equal(decideStep(c.kind, c.last, c.justCreated ?? false).action, c.want);
  });
}

test('a refused symlink says that symlinks are not followed', () => {
  const s = decideStep('symlink', true, false);
  assert.equal(s.action === 'refuse' && s.reason, 'is a symlink (symlinks are not followed when a subPath is opened)');
});
