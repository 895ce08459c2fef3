import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../system/clock.js';
import { capturingLogger } from '../system/logger.js';
import { HEALTH_EVERY_MS, notPoolable, poolSandboxConfig, POOL_NAMESPACE, REFILL_BACKOFF_MS, REFILL_QUIET_MS, warmPoolFamilies, WarmPool, type PoolHost } from './warm-pool.js';
import type { PodSandboxConfig } from './runtime.js';

/** A runtime as the pool sees it: makes resolve when told, quietness set by the test. */
class FakeHost implements PoolHost {
  quiet = 10_000;
  made: PodSandboxConfig[] = [];
  discarded: string[] = [];
  dead = new Set<string>();
  pending: { resolve: (id: string) => void; reject: (e: Error) => void }[] = [];
  private n = 0;
  make(config: PodSandboxConfig): Promise<string> {
    this.made.push(config);
    return new Promise((resolve, reject) => this.pending.push({ resolve, reject }));
  }
  /** Finishes the oldest make in flight with a new id. */
  finish(): string {
    const id = `sb${++this.n}`;
    this.pending.shift()!.resolve(id);
    return id;
  }
  fail(): void {
    this.pending.shift()!.reject(new Error('no network'));
  }
  usable(id: string): boolean {
    return !this.dead.has(id);
  }
  checked: string[] = [];
  async check(id: string): Promise<boolean> {
    this.checked.push(id);
    return !this.dead.has(id);
  }
  async discard(id: string): Promise<void> {
    this.discarded.push(id);
  }
  quietMs(): number {
    return this.quiet;
  }
}

const flush = () => new Promise((r) => setImmediate(r));

function setup(size = 2) {
  const clock = new FakeClock();
  const host = new FakeHost();
  const lines: string[] = [];
  const pool = new WarmPool(size, host, clock, capturingLogger(lines));
  return { clock, host, pool, lines };
}

/** A pod config the pool can serve (the pool's own shape, a pod's name). */
const pod = (over: Partial<PodSandboxConfig> = {}): PodSandboxConfig => ({ ...poolSandboxConfig('0f3c2a1e-aaaa-bbbb-cccc-000000000001'), metadata: { name: 'web', namespace: 'default', uid: 'u1', attempt: 0 }, ...over });

test('pods with host namespaces, hostPorts or sysctls are not served from the pool; others are', () => {
  assert.equal(notPoolable(pod()), undefined);
  assert.equal(notPoolable(pod({ hostNetwork: true })), 'hostNetwork');
  assert.equal(notPoolable(pod({ hostPID: true })), 'hostPID');
  assert.equal(notPoolable(pod({ hostIPC: true })), 'hostIPC');
  assert.equal(notPoolable(pod({ portMappings: [{ protocol: 'TCP', containerPort: 80, hostPort: 8080 }] })), 'hostPort');
  assert.equal(notPoolable(pod({ sysctls: { 'net.ipv4.ping_group_range': '0 1' } })), 'sysctls');
  assert.equal(notPoolable(pod({ shareProcessNamespace: true, qosLevel: 'burstable', resources: { memoryLimitBytes: 1 } })), undefined, 'the pod\'s cgroup and PID sharing are set at the claim');
});

test('a pool sandbox is a best-effort pod of its own in the pool namespace, with no host namespaces', () => {
  const a = poolSandboxConfig();
  const b = poolSandboxConfig();
  assert.equal(a.metadata.namespace, POOL_NAMESPACE);
  assert.notEqual(a.metadata.uid, b.metadata.uid);
  assert.equal(a.qosLevel, 'besteffort');
  assert.equal(notPoolable(a), undefined);
});

test('fills one sandbox at a time up to its size, only once the runtime has been quiet', async () => {
  const { clock, host, pool } = setup(2);
  host.quiet = 0;
  pool.start();
  clock.advance(1_000);
  assert.equal(host.made.length, 0, 'nothing made while the runtime is busy');
  host.quiet = REFILL_QUIET_MS;
  clock.advance(100);
  assert.equal(host.made.length, 1);
  clock.advance(1_000);
  assert.equal(host.made.length, 1, 'one at a time');
  host.finish();
  await flush();
  assert.deepEqual(pool.figures(), { size: 2, ready: 1, filling: 0, claims: 0 });
  clock.advance(100);
  assert.equal(host.made.length, 2);
  host.finish();
  await flush();
  clock.advance(10_000);
  assert.equal(host.made.length, 2, 'full: no more');
  assert.equal(pool.figures().ready, 2);
});

test('a pod takes the oldest ready sandbox, a refill follows; pods the pool cannot serve take none', async () => {
  const { clock, host, pool } = setup(1);
  pool.start();
  clock.advance(100);
  const id = host.finish();
  await flush();
  assert.equal(pool.take(pod({ hostNetwork: true })), undefined);
  assert.equal(pool.figures().ready, 1);
  assert.equal(pool.take(pod()), id);
  assert.deepEqual(pool.figures(), { size: 1, ready: 0, filling: 0, claims: 0 }, 'a claim counts once the runtime made it the pod\'s');
  pool.claimed();
  assert.deepEqual(pool.figures(), { size: 1, ready: 0, filling: 0, claims: 1 });
  assert.equal(pool.take(pod()), undefined, 'empty: the pod gets a fresh sandbox');
  clock.advance(100);
  assert.equal(host.made.length, 2, 'refilled');
});

test('a dead pool sandbox is discarded at the take and the next one is handed out', async () => {
  const { clock, host, pool } = setup(2);
  pool.start();
  clock.advance(100);
  const a = host.finish();
  await flush();
  clock.advance(100);
  const b = host.finish();
  await flush();
  host.dead.add(a);
  assert.equal(pool.take(pod()), b);
  await flush();
  assert.deepEqual(host.discarded, [a]);
});

test('ready sandboxes are checked every few seconds: one no longer whole is removed and made again', async () => {
  const { clock, host, pool } = setup(2);
  pool.start();
  clock.advance(100);
  const a = host.finish();
  await flush();
  clock.advance(100);
  const b = host.finish();
  await flush();
  host.checked = [];
  clock.advance(HEALTH_EVERY_MS - 200);
  await flush();
  assert.deepEqual(host.checked, [a, b]);
  assert.deepEqual(host.discarded, []);
  host.dead.add(a);
  clock.advance(HEALTH_EVERY_MS);
  for (let i = 0; i < 5; i++) await flush();
  assert.deepEqual(host.discarded, [a]);
  assert.equal(pool.figures().ready, 1);
  clock.advance(100);
  assert.equal(host.made.length, 3, 'made again');
});

test('a failed make backs off, doubling, and a success resets it', async () => {
  const { clock, host, pool, lines } = setup(1);
  pool.start();
  clock.advance(100);
  host.fail();
  await flush();
  assert.ok(lines.some((l) => l.includes('making a warm pool sandbox failed')));
  clock.advance(REFILL_BACKOFF_MS[0] - 1);
  assert.equal(host.made.length, 1, 'waits the first back-off');
  clock.advance(1);
  assert.equal(host.made.length, 2);
  host.fail();
  await flush();
  clock.advance(REFILL_BACKOFF_MS[0] * 2 - 1);
  assert.equal(host.made.length, 2, 'then twice as long');
  clock.advance(1);
  assert.equal(host.made.length, 3);
  host.finish();
  await flush();
  assert.equal(pool.figures().ready, 1);
});

test('drain stops refills, waits for the make in flight and discards every sandbox not taken', async () => {
  const { clock, host, pool } = setup(2);
  pool.start();
  clock.advance(100);
  const a = host.finish();
  await flush();
  clock.advance(100);
  assert.equal(host.made.length, 2);
  const drained = pool.drain();
  await flush();
  assert.deepEqual(host.discarded, [], 'waits for the make in flight');
  const b = host.finish();
  await drained;
  assert.deepEqual(host.discarded.sort(), [a, b].sort());
  assert.equal(pool.take(pod()), undefined, 'a drained pool hands out nothing');
  clock.advance(10_000);
  assert.equal(host.made.length, 2, 'and makes nothing');
});

test('metrics: size, ready, filling and claims', () => {
  const fams = warmPoolFamilies({ size: 2, ready: 1, filling: 1, claims: 5 });
  assert.deepEqual(
    fams.map((f) => [f.name, f.type, f.samples[0]!.value]),
    [
      ['peapod_warm_pool_size', 'gauge', 2],
      ['peapod_warm_pool_ready_sandboxes', 'gauge', 1],
      ['peapod_warm_pool_filling_sandboxes', 'gauge', 1],
      ['peapod_warm_pool_claims_total', 'counter', 5],
    ],
  );
});
