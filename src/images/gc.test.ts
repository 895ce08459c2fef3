import assert from 'node:assert/strict';
import os from 'node:os';
import { test } from 'node:test';
import { ConflictError } from '../errors.js';
import { FakeClock } from '../system/clock.js';
import { capturingLogger, silentLogger } from '../system/logger.js';
import {
  ImageGc,
  planImageGc,
  shortfallMessage,
  statfsSpace,
  validateGcThresholds,
  type FsSpace,
  type GcCandidate,
  type ImageGcPlanInput,
  type StoredImage,
} from './gc.js';

const NOW = Date.UTC(2026, 0, 1);
const MIN = 60_000;

function img(id: string, size: number, lastUsed: number, extra: Partial<GcCandidate> = {}): GcCandidate {
  return { id, size, lastUsed, createdAt: lastUsed, inUse: false, ...extra };
}

/** 100 000-byte filesystem with `available` free, default thresholds 85/80. */
function plan(images: GcCandidate[], available: number, over: Partial<ImageGcPlanInput> = {}) {
  return planImageGc({ images, fsCapacity: 100_000, fsAvailable: available, highPercent: 85, lowPercent: 80, now: NOW, minAgeMs: 0, ...over });
}

const three = [img('a', 3_000, NOW - 30 * MIN), img('b', 3_000, NOW - 20 * MIN), img('c', 3_000, NOW - 10 * MIN)];

test('below the high threshold nothing is removed', () => {
  const p = plan(three, 16_000); // 84% used
  assert.equal(p.usagePercent, 84);
  assert.deepEqual([p.needed, p.delete, p.freedEstimate, p.satisfied], [0, [], 0, true]);
  assert.match(p.reason, /84% is below the high threshold 85%/);
});

test('exactly at the high threshold GC runs and frees down to the low threshold', () => {
  const p = plan(three, 15_000); // 85% used: free 85 000 − 80 000
  assert.equal(p.usagePercent, 85);
  assert.equal(p.needed, 5_000);
  assert.deepEqual(p.delete, ['a', 'b']);
  assert.equal(p.freedEstimate, 6_000);
  assert.equal(p.satisfied, true);
  assert.equal(p.warning, undefined);
});

test('usage percent is rounded up as the kubelet computes it (84.001% counts as 85%)', () => {
  const p = plan(three, 15_999);
  assert.equal(p.usagePercent, 85);
  assert.equal(p.needed, 4_001);
  assert.deepEqual(p.delete, ['a', 'b']);
});

test('freeing exactly the needed amount stops there', () => {
  const p = plan([img('a', 5_000, NOW - 2 * MIN), img('b', 5_000, NOW - MIN)], 10_000); // 90%: free 10 000
  assert.equal(p.needed, 10_000);
  assert.deepEqual(p.delete, ['a', 'b']);
  const q = plan([img('a', 5_000, NOW - 2 * MIN), img('b', 5_000, NOW - MIN)], 15_000); // 85%: free 5 000
  assert.deepEqual(q.delete, ['a']);
  assert.equal(q.freedEstimate, q.needed);
  assert.deepEqual(q.eligible, ['a', 'b']);
});

test('not enough candidates: all are removed and the shortfall is reported with the kubelet message', () => {
  const p = plan(three, 0); // 100%: free 20 000, only 9 000 eligible
  assert.equal(p.needed, 20_000);
  assert.deepEqual(p.delete, ['a', 'b', 'c']);
  assert.equal(p.freedEstimate, 9_000);
  assert.equal(p.satisfied, false);
  assert.equal(p.warning, 'FreeDiskSpaceFailed');
  assert.equal(p.reason, 'Failed to garbage collect required amount of images. Attempted to free 20000 bytes, but only found 9000 bytes eligible to free.');
  assert.equal(p.reason, shortfallMessage(20_000, 9_000));
});

test('images in use are never removed, whatever the pressure', () => {
  const p = plan([img('old', 50_000, NOW - 60 * MIN, { inUse: true }), img('new', 1_000, NOW - MIN)], 0);
  assert.deepEqual(p.delete, ['new']);
  assert.deepEqual(p.eligible, ['new']);
  assert.equal(p.satisfied, false);
});

test('least recently used first; ties by stored time, then by id', () => {
  const t = NOW - 10 * MIN;
  const images = [
    img('z', 1_000, t, { createdAt: t - 3 * MIN }),
    img('y', 1_000, t, { createdAt: t - 5 * MIN }),
    img('x', 1_000, t, { createdAt: t - 3 * MIN }),
    img('w', 1_000, t - MIN, { createdAt: t - MIN }),
  ];
  const p = plan(images, 0);
  assert.deepEqual(p.delete, ['w', 'y', 'x', 'z']);
  assert.deepEqual(plan([...images].reverse(), 0).delete, p.delete);
});

test('images younger than minAge are kept; old enough ones go', () => {
  const images = [img('young', 10_000, NOW - 2 * MIN, { createdAt: NOW - MIN }), img('old', 1_000, NOW - 5 * MIN, { createdAt: NOW - 5 * MIN })];
  assert.deepEqual(plan(images, 10_000, { minAgeMs: 2 * MIN }).delete, ['old']);
  // Exactly minAge old is old enough (the kubelet skips only age < minAge).
  assert.deepEqual(plan(images, 10_000, { minAgeMs: MIN }).delete, ['old', 'young']);
  assert.deepEqual(plan(images, 10_000, { minAgeMs: 0 }).delete, ['old', 'young']);
});

test('an image used at (or after) this pass is not eligible', () => {
  const p = plan([img('now', 9_000, NOW), img('later', 9_000, NOW + 1), img('before', 9_000, NOW - 1)], 0);
  assert.deepEqual(p.eligible, ['before']);
});

test('a zero capacity is reported as InvalidDiskCapacity and nothing is removed', () => {
  const p = plan(three, 0, { fsCapacity: 0 });
  assert.deepEqual([p.delete, p.satisfied, p.warning], [[], false, 'InvalidDiskCapacity']);
  assert.equal(p.reason, 'invalid capacity 0 on image filesystem');
});

test('available above capacity is clamped to capacity (0% used)', () => {
  const p = plan(three, 200_000);
  assert.equal(p.usagePercent, 0);
  assert.deepEqual(p.delete, []);
});

test('a high threshold of 100 disables GC even on a full disk', () => {
  const p = plan(three, 0, { highPercent: 100, lowPercent: 90 });
  assert.deepEqual([p.needed, p.delete, p.satisfied], [0, [], true]);
  assert.match(p.reason, /disabled/);
});

test('thresholds are validated: 0 ≤ low < high ≤ 100', () => {
  assert.doesNotThrow(() => validateGcThresholds(85, 80));
  assert.doesNotThrow(() => validateGcThresholds(100, 0));
  assert.throws(() => validateGcThresholds(80, 80), /low threshold \(80%\) must be less than the high threshold \(80%\)/);
  assert.throws(() => validateGcThresholds(80, 85), /must be less than/);
  assert.throws(() => validateGcThresholds(101, 80), /high threshold 101: must be in the range \[0-100\]/);
  assert.throws(() => validateGcThresholds(85, -1), /low threshold -1/);
  assert.throws(() => validateGcThresholds(Number.NaN, 1), /high threshold NaN/);
  assert.throws(() => plan(three, 0, { highPercent: 50, lowPercent: 60 }), /must be less than/);
});

test('large filesystems are computed exactly (capacity × 100 beyond 2^53)', () => {
  const cap = 2 ** 50 * 10; // 10 PiB
  const p = planImageGc({ images: [img('a', cap, NOW - MIN)], fsCapacity: cap, fsAvailable: cap / 10, highPercent: 85, lowPercent: 80, now: NOW, minAgeMs: 0 });
  assert.equal(p.usagePercent, 90);
  assert.equal(p.needed, cap / 10); // 20% free wanted, 10% free now
});

// ---- ImageGc ----

interface FakeStore {
  images: StoredImage[];
  inUse: Set<string>;
  fs: FsSpace;
  removed: string[];
  failOn: Set<string>;
  listCalls: number;
}

function fakeGc(store: FakeStore, clock: FakeClock, policy = {}, logger = silentLogger()) {
  return new ImageGc(
    {
      listImages: async () => {
        store.listCalls++;
        if (store.failOn.has('list')) throw new Error('store unreadable');
        return store.images.map((i) => ({ ...i }));
      },
      inUseImageIds: async () => new Set(store.inUse),
      removeImage: async (id) => {
        if (store.failOn.has(id)) throw new ConflictError(`image ${id} is in use by container c1`);
        const img = store.images.find((i) => i.id === id);
        store.images = store.images.filter((i) => i.id !== id);
        store.removed.push(id);
        store.fs = { ...store.fs, available: store.fs.available + (img?.size ?? 0) };
      },
      statfs: async () => ({ ...store.fs }),
      clock,
      logger,
    },
    policy,
  );
}

function newStore(available: number, images: StoredImage[]): FakeStore {
  return { images, inUse: new Set(), fs: { capacity: 100_000, available }, removed: [], failOn: new Set(), listCalls: 0 };
}

const flush = () => new Promise((r) => setImmediate(r));

test('ImageGc removes least recently used images; markUsed moves an image to the back', async () => {
  const clock = new FakeClock(NOW);
  const store = newStore(15_000, [
    { id: 'a', size: 3_000, createdAt: NOW - 30 * MIN },
    { id: 'b', size: 3_000, createdAt: NOW - 20 * MIN },
    { id: 'c', size: 3_000, createdAt: NOW - 10 * MIN },
  ]);
  const gc = fakeGc(store, clock);
  gc.markUsed('a');
  clock.advance(MIN);
  const r = await gc.runOnce();
  assert.deepEqual(r.removed, ['b', 'c']);
  assert.deepEqual([r.freedBytes, r.neededBytes, r.ok, r.warning, r.errors], [6_000, 5_000, true, undefined, []]);
  assert.match(r.message, /freed 6000 bytes by removing 2 image/);
  assert.equal(gc.lastUsedOf('b'), undefined);
});

test('ImageGc counts images in use at a pass as used then, after their container is gone', async () => {
  const clock = new FakeClock(NOW);
  const store = newStore(50_000, [
    { id: 'old', size: 5_000, createdAt: NOW - 60 * MIN },
    { id: 'mid', size: 5_000, createdAt: NOW - 30 * MIN },
  ]);
  store.inUse.add('old');
  const gc = fakeGc(store, clock);
  assert.equal((await gc.runOnce()).removed.length, 0); // below the threshold: only bookkeeping
  assert.equal(gc.lastUsedOf('old'), NOW);
  store.inUse.clear();
  store.fs.available = 15_000;
  clock.advance(MIN);
  const r = await gc.runOnce();
  assert.deepEqual(r.removed, ['mid']); // 'old' was seen in use after 'mid' was stored
});

test('ImageGc never removes an image in use and reports the shortfall', async () => {
  const clock = new FakeClock(NOW);
  const store = newStore(0, [
    { id: 'busy', size: 90_000, createdAt: NOW - 60 * MIN },
    { id: 'idle', size: 1_000, createdAt: NOW - 60 * MIN },
  ]);
  store.inUse.add('busy');
  const lines: string[] = [];
  const r = await fakeGc(store, clock, {}, capturingLogger(lines)).runOnce();
  assert.deepEqual(r.removed, ['idle']);
  assert.equal(r.ok, false);
  assert.equal(r.warning, 'FreeDiskSpaceFailed');
  assert.equal(r.message, shortfallMessage(20_000, 1_000));
  assert.ok(lines.some((l) => l.includes('only found 1000 bytes eligible')));
});

test('ImageGc goes past an image it cannot remove to the next one', async () => {
  const clock = new FakeClock(NOW);
  const store = newStore(15_000, [
    { id: 'a', size: 5_000, createdAt: NOW - 30 * MIN },
    { id: 'b', size: 5_000, createdAt: NOW - 20 * MIN },
    { id: 'c', size: 5_000, createdAt: NOW - 10 * MIN },
  ]);
  store.failOn.add('a');
  const r = await fakeGc(store, clock).runOnce();
  assert.deepEqual(r.removed, ['b']);
  assert.equal(r.errors.length, 1);
  assert.equal(r.errors[0]!.id, 'a');
  assert.equal(r.ok, false);
  assert.match(r.message, /wanted to free 5000 bytes, but freed 5000 bytes with errors in image deletion: a: image a is in use/);
});

test('ImageGc honours minAge and forgets images that are gone', async () => {
  const clock = new FakeClock(NOW);
  const store = newStore(0, [{ id: 'fresh', size: 50_000, createdAt: NOW - MIN }]);
  const gc = fakeGc(store, clock, { minAgeMs: 2 * MIN });
  gc.markPulled('fresh');
  gc.markUsed('ghost');
  assert.deepEqual((await gc.runOnce()).removed, []);
  assert.equal(gc.lastUsedOf('ghost'), undefined);
  clock.advance(2 * MIN);
  assert.deepEqual((await gc.runOnce()).removed, ['fresh']);
});

test('ImageGc validates its policy', () => {
  const clock = new FakeClock(NOW);
  assert.throws(() => fakeGc(newStore(0, []), clock, { highPercent: 80, lowPercent: 85 }), /must be less than/);
  assert.throws(() => fakeGc(newStore(0, []), clock, { highPercent: 120 }), /range \[0-100\]/);
  assert.throws(() => fakeGc(newStore(0, []), clock, { minAgeMs: -1 }), /minimum age/);
  assert.deepEqual(fakeGc(newStore(0, []), clock).policy, { highPercent: 85, lowPercent: 80, minAgeMs: 120_000 });
});

test('concurrent runOnce calls share one pass', async () => {
  const clock = new FakeClock(NOW);
  const store = newStore(50_000, [{ id: 'a', size: 1, createdAt: NOW - MIN }]);
  const gc = fakeGc(store, clock);
  const [x, y] = await Promise.all([gc.runOnce(), gc.runOnce()]);
  assert.equal(x, y);
  assert.equal(store.listCalls, 1);
});

test('start runs a pass at once and then every interval; errors are logged, not thrown; stop ends it', async () => {
  const clock = new FakeClock(NOW);
  const store = newStore(50_000, []);
  const lines: string[] = [];
  const gc = fakeGc(store, clock, {}, capturingLogger(lines));
  gc.start(5 * MIN);
  gc.start(5 * MIN); // already started: no second loop
  clock.advance(0);
  await flush();
  assert.equal(store.listCalls, 1);
  store.failOn.add('list');
  clock.advance(5 * MIN);
  await flush();
  assert.equal(store.listCalls, 2);
  assert.ok(lines.some((l) => l.includes('image garbage collection failed') && l.includes('store unreadable')));
  store.failOn.clear();
  clock.advance(5 * MIN);
  await flush();
  assert.equal(store.listCalls, 3);
  gc.stop();
  clock.advance(60 * MIN);
  await flush();
  assert.equal(store.listCalls, 3);
});

test('start does nothing when the high threshold is 100', async () => {
  const clock = new FakeClock(NOW);
  const store = newStore(0, [{ id: 'a', size: 1, createdAt: NOW - MIN }]);
  const gc = fakeGc(store, clock, { highPercent: 100, lowPercent: 90 });
  gc.start(MIN);
  clock.advance(10 * MIN);
  await flush();
  assert.equal(store.listCalls, 0);
  const r = await gc.runOnce(); // an explicit pass reports it and removes nothing
  assert.deepEqual(r.removed, []);
  assert.match(r.message, /disabled/);
});

test('statfsSpace reads the size of a real filesystem', async () => {
  const s = await statfsSpace(os.tmpdir());
  assert.ok(s.capacity > 0);
  assert.ok(s.available >= 0 && s.available <= s.capacity);
});
