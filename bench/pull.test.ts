import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { describePullRuns, LAYER_BYTES, planLayerFiles, prng, pullOrder, pullPhases, summarizePull, textPool, type PullEventLine } from './pull.js';

test('a layer plan adds up to its bytes, the same every time, with many small files and a few large ones', () => {
  for (let i = 0; i < LAYER_BYTES.length; i++) {
    const plan = planLayerFiles(i, LAYER_BYTES[i]!);
    assert.equal(plan.reduce((a, f) => a + f.size, 0), LAYER_BYTES[i]);
    assert.deepEqual(planLayerFiles(i, LAYER_BYTES[i]!), plan);
    assert.equal(new Set(plan.map((f) => f.path)).size, plan.length, 'paths are unique');
    assert.ok(plan.every((f) => f.size > 0));
    const large = plan.filter((f) => f.path.startsWith(`usr/lib/pkg${i}/`));
    assert.ok(large.length >= 1 && large.length < plan.length / 10, `layer ${i}: ${large.length} large of ${plan.length}`);
  }
  const total = LAYER_BYTES.reduce((a, i, n) => a + planLayerFiles(n, i).length, 0);
  assert.ok(total > 3000 && total < 12000, `${total} files`);
});

test('the PRNG is deterministic and in [0, 1)', () => {
  const a = prng(7);
  const b = prng(7);
  for (let i = 0; i < 1000; i++) {
    const x = a();
    assert.equal(x, b());
    assert.ok(x >= 0 && x < 1);
  }
});

test('the text pool compresses about 3× with gzip -4, so with 30% incompressible chunks an image gives about 2×', () => {
  const pool = textPool(1 << 20);
  assert.equal(pool.length, 1 << 20);
  const ratio = pool.length / gzipSync(pool, { level: 4 }).length;
  assert.ok(ratio > 2.8 && ratio < 4.5, `ratio ${ratio}`);
});

const image = { layers: 2, files: 10, compressedBytes: 50e6, uncompressedBytes: 100e6 };

test('the figures are the median, min and max of the runs, MB/s at the median, the largest peak RSS', () => {
  const f = summarizePull(image, [{ ms: 5000, peakRssMB: 100, engineCpuS: 4 }, { ms: 4000, peakRssMB: 140, engineCpuS: 3 }, { ms: 6000, engineCpuS: 5 }]);
  assert.equal(f.runs, 3);
  assert.deepEqual([f.p50Ms, f.minMs, f.maxMs], [5000, 4000, 6000]);
  assert.equal(f.mbps, 10);
  assert.equal(f.peakRssMB, 140);
  assert.equal(f.engineCpuS, 4);
  assert.equal(summarizePull(image, [{ ms: 1000 }]).peakRssMB, undefined);
});

test('the phases come from the arrival times of the pull\'s events', () => {
  const ev = (atMs: number, e: PullEventLine) => ({ atMs, e });
  const layer = (digest: string, status: string) => ({ type: 'layer' as const, digest, status, current: 0, total: 0 });
  const phases = pullPhases([
    ev(40, { type: 'resolved', layers: [{ digest: 'a', size: 1 }, { digest: 'b', size: 1 }] }),
    ev(100, layer('a', 'downloading')),
    ev(150, layer('b', 'downloading')),
    ev(900, layer('b', 'downloading')),
    ev(1000, layer('a', 'downloading')),
    ev(1050, layer('a', 'extracting')),
    ev(1500, layer('a', 'done')),
    ev(1500, layer('b', 'extracting')),
    ev(1800, layer('b', 'done')),
    ev(1810, { type: 'pulled', image: { id: 'x' } }),
  ]);
  assert.deepEqual(phases, { resolvedMs: 40, downloadedMs: 1000, unpackStartMs: [1050, 1500], unpackMs: [450, 300] });
  assert.equal(pullPhases([]), undefined);
});

test('the notes list every run, and peapod\'s phases', () => {
  const f = summarizePull(image, [
    { ms: 2000, startRssMB: 90, peakRssMB: 120, hwmMB: 125, engineCpuS: 2.04, hostCpuS: 3.04, registryCpuS: 0.5, phases: { resolvedMs: 40, downloadedMs: 1500, unpackStartMs: [600, 1200], unpackMs: [500, 700] } },
  ]);
  const [runs, phases] = describePullRuns('peapod', f);
  assert.equal(runs, 'pull: peapod runs: 2.00 s (peak RSS 120 MB from 90, VmHWM 125 MB, CPU 2.0 core-s, host 3.0, the registry 0.5)');
  assert.equal(phases, 'pull: peapod phases per run: resolved at 0.04 s, all blobs in by ≈1.50 s, layer unpacks 0.50 + 0.70 = 1.20 s (the first from 0.60 s), unpacking alone after the last byte 0.50 s');
  assert.deepEqual(describePullRuns('podman', summarizePull(image, [{ ms: 3000 }])), ['pull: podman runs: 3.00 s']);
});

test('the sides take turns going first, run by run', () => {
  assert.deepEqual([0, 1, 2].map((i) => pullOrder(i, ['peapod', 'podman'])), [['peapod', 'podman'], ['podman', 'peapod'], ['peapod', 'podman']]);
  assert.deepEqual(pullOrder(1, ['podman']), ['podman']);
});
