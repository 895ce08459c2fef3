import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConflictError } from '../errors.js';
import type { StoredImage } from './gc.js';
import { isDangling, planPrune, pruneImages } from './prune.js';

const images: StoredImage[] = [
  { id: 'tagged-old', size: 100, createdAt: 1, repoTags: ['localhost/a:1'] },
  { id: 'dangling-new', size: 10, createdAt: 5, repoTags: [] },
  { id: 'dangling-old', size: 20, createdAt: 2, repoTags: [] },
  { id: 'dangling-busy', size: 30, createdAt: 3, repoTags: [] },
  { id: 'tagged-busy', size: 40, createdAt: 4, repoTags: ['localhost/b:1'] },
];
const inUse = new Set(['dangling-busy', 'tagged-busy']);

test('isDangling: no tags (or no tag list) means dangling, unless a repo digest still names it', () => {
  assert.equal(isDangling({ repoTags: [] }), true);
  assert.equal(isDangling({ repoTags: [], repoDigests: ['127.0.0.1:5000/app@sha256:' + 'a'.repeat(64)] }), false);
  assert.equal(isDangling({}), true);
  assert.equal(isDangling({ repoTags: ['x:1'] }), false);
});

test('by default prune takes dangling images no container uses, oldest first', () => {
  assert.deepEqual(planPrune(images, inUse).map((i) => i.id), ['dangling-old', 'dangling-new']);
  assert.deepEqual(planPrune(images, inUse, { all: false }).map((i) => i.id), ['dangling-old', 'dangling-new']);
});

test('with all, prune takes every image no container uses', () => {
  assert.deepEqual(planPrune(images, inUse, { all: true }).map((i) => i.id), ['tagged-old', 'dangling-old', 'dangling-new']);
});

test('an image in use is never planned', () => {
  const everything = new Set(images.map((i) => i.id));
  assert.deepEqual(planPrune(images, everything, { all: true }), []);
});

test('pruneImages removes the plan, sums the sizes and goes past a failure', async () => {
  const removed: string[] = [];
  const r = await pruneImages(
    {
      listImages: async () => images,
      inUseImageIds: async () => inUse,
      removeImage: async (id) => {
        if (id === 'dangling-old') throw new ConflictError('image dangling-old is in use by container c9');
        removed.push(id);
      },
    },
    { all: true },
  );
  assert.deepEqual(removed, ['tagged-old', 'dangling-new']);
  assert.deepEqual(r.deleted, ['tagged-old', 'dangling-new']);
  assert.equal(r.reclaimedBytes, 110);
  assert.deepEqual(r.failed, [{ id: 'dangling-old', error: 'image dangling-old is in use by container c9' }]);
});

test('pruneImages with nothing to prune', async () => {
  const r = await pruneImages({ listImages: async () => [], inUseImageIds: async () => new Set(), removeImage: async () => assert.fail('nothing to remove') });
  assert.deepEqual(r, { deleted: [], reclaimedBytes: 0, failed: [] });
});
