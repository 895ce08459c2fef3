import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../system/clock.js';
import { silentLogger } from '../system/logger.js';
import { MetricsStorage } from './rates.js';
import { MetricsSampler, type SampledContainer } from './sampler.js';
import type { CpuMemorySample } from './cgroup-stats.js';

const QOS = (c: SampledContainer) => [`/p/pod${c.podUid}/${c.id}`, `/p/burstable/pod${c.podUid}/${c.id}`, `/p/besteffort/pod${c.podUid}/${c.id}`];

/** A reader over cgroups whose CPU counters the test moves; reads are recorded. */
function fakeCgroups(cgroups: Map<string, CpuMemorySample>) {
  const reads: string[] = [];
  return {
    reads,
    reader: {
      async sample(p: string) {
        reads.push(p);
        const s = cgroups.get(p);
        if (!s) throw new Error(`ENOENT ${p}`);
        return { ...s };
      },
    },
  };
}

test('each scrape samples the node and every running container, found at its QoS level once', async () => {
  const clock = new FakeClock();
  const cgroups = new Map<string, CpuMemorySample>([
    ['/', { cpuNs: 0, workingSetBytes: 1 << 30 }],
    ['/p/burstable/podu1/c1', { cpuNs: 0, workingSetBytes: 4096 }],
  ]);
  const { reader, reads } = fakeCgroups(cgroups);
  const storage = new MetricsStorage(15_000);
  const container: SampledContainer = { id: 'c1', podNamespace: 'default', podName: 'web', podUid: 'u1', name: 'app', startedAt: clock.now() - 60_000 };
  const sampler = new MetricsSampler({ clock, logger: silentLogger(), resolutionMs: 15_000, nodeName: 'node1', nodeStartTime: 0, reader, storage, listContainers: async () => [container], cgroupPaths: QOS });
  await sampler.scrape();
  assert.deepEqual(reads.sort(), ['/', '/p/burstable/podu1/c1', '/p/podu1/c1']);
  clock.advance(15_000);
  cgroups.set('/', { cpuNs: 30e9, workingSetBytes: 1 << 30 });
  cgroups.set('/p/burstable/podu1/c1', { cpuNs: 3e9, workingSetBytes: 8192 });
  reads.length = 0;
  await sampler.scrape();
  assert.deepEqual(reads.sort(), ['/', '/p/burstable/podu1/c1'], 'the found level is read directly');
  assert.deepEqual(storage.podUsage('default', 'web')?.containers, [{ name: 'app', usage: { cpuNanoCores: 200_000_000, memoryBytes: 8192 } }]);
  assert.deepEqual(storage.nodeUsage('node1')?.usage, { cpuNanoCores: 2e9, memoryBytes: 1 << 30 });
});

test('a container whose cgroup cannot be read is left out of that scrape', async () => {
  const clock = new FakeClock();
  const { reader } = fakeCgroups(new Map([['/', { cpuNs: 0, workingSetBytes: 0 }]]));
  const storage = new MetricsStorage(15_000);
  const gone: SampledContainer = { id: 'x', podNamespace: 'default', podName: 'gone', podUid: 'u9', name: 'app', startedAt: 0 };
  const sampler = new MetricsSampler({ clock, logger: silentLogger(), resolutionMs: 15_000, nodeName: 'n', nodeStartTime: 0, reader, storage, listContainers: async () => [gone], cgroupPaths: QOS });
  await sampler.scrape();
  clock.advance(15_000);
  await sampler.scrape();
  assert.equal(storage.podUsage('default', 'gone'), undefined);
  assert.ok(storage.nodeUsage('n'));
});

test('the sampler scrapes at start and again each resolution after, until stopped', async () => {
  const clock = new FakeClock();
  let scrapes = 0;
  const { reader } = fakeCgroups(new Map([['/', { cpuNs: 0, workingSetBytes: 0 }]]));
  const sampler = new MetricsSampler({
    clock,
    logger: silentLogger(),
    resolutionMs: 2_000,
    nodeName: 'n',
    nodeStartTime: 0,
    reader,
    storage: new MetricsStorage(2_000),
    listContainers: async () => (scrapes++, []),
    cgroupPaths: QOS,
  });
  sampler.start();
  await new Promise((r) => setImmediate(r));
  assert.equal(scrapes, 1);
  clock.advance(2_000);
  await new Promise((r) => setImmediate(r));
  assert.equal(scrapes, 2);
  await sampler.stop();
  clock.advance(10_000);
  await new Promise((r) => setImmediate(r));
  assert.equal(scrapes, 2);
});
