// Churn soak (issue 13, scope 2): create → Running → delete → gone, 10 pods at a time, soakSize(60, 1000)
// cycles (a cycle is one pod). The daemon's RSS is read at the start, after the first tenth of the cycles
// and at the end, each once the daemon has settled with no pod left; its open file descriptors at the
// start and the end; the host inventory (what this data dir's engine can make) before and after. At the
// end the RSS must be within 20 MB of its level after the first tenth (the full form; the short form's
// tenth is 6 pods, still warming up, so it gets a looser bound), the fds back to where they started, and
// the host and the data dir as they were.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiClient } from '../../bench/api-client.js';
import { churnPod } from '../../bench/pod-specs.js';
import { PodTracker } from '../../bench/pod-tracker.js';
import { sleep, TestDaemon } from '../support/daemon.js';
import { reportingFailure } from '../support/failure.js';
import { hostInventory, inventoryDiff, openFds, recordFigure, rssBytes, SOAK_FULL, soakSize } from '../support/soak.js';
import { describedFds, fdDiff, onlyOwn, othersAtWork, podDirEntries } from './churn-support.js';

const ROOT = process.getuid?.() === 0;
const CYCLES = soakSize(60, 1000);
const FIRST_TENTH = Math.max(1, Math.round(CYCLES / 10));
const CONCURRENCY = 10;
const POD_TIMEOUT_MS = 60_000;
/** RSS at the end within this of its level after the first tenth (the 20 MB on the full form). */
const RSS_DRIFT_LIMIT = SOAK_FULL ? 20 * 1024 * 1024 : 40 * 1024 * 1024;
const MB = 1024 * 1024;
const EVENT_TTL_S = 20;

/** RSS once it has stopped moving: 4 samples 500 ms apart within 1 MB of each other (at most 20 s). */
async function settledRss(pid: number): Promise<number> {
  const samples: number[] = [];
  const deadline = Date.now() + 20_000;
  for (;;) {
    const v = rssBytes(pid);
    if (v === undefined) throw new Error(`the daemon (pid ${pid}) is gone`);
    samples.push(v);
    const last = samples.slice(-4);
    if (last.length === 4 && Math.max(...last) - Math.min(...last) < MB) return last[3]!;
    if (Date.now() > deadline) return v;
    await sleep(500);
  }
}

/**
 * Waits (up to 20 s) until the daemon holds at most `want` fds: the server sees the client's closed
 * connections a moment after it closed them. Returns the last reading, described (churn-support.ts).
 */
async function settledFds(pid: number, want: number): Promise<string[]> {
  const deadline = Date.now() + 20_000;
  while (openFds(pid).length > want && Date.now() < deadline) await sleep(250);
  return describedFds(pid);
}

/** The daemon's fds once their count has not moved for a second (at most 20 s), described. */
async function stableFds(pid: number): Promise<string[]> {
  const counts: number[] = [];
  const deadline = Date.now() + 20_000;
  for (;;) {
    counts.push(openFds(pid).length);
    const last = counts.slice(-5);
    if ((last.length === 5 && last.every((n) => n === last[0])) || Date.now() > deadline) return describedFds(pid);
    await sleep(250);
  }
}

describe('churn soak: create → Running → delete cycles, 10 at a time', { skip: ROOT ? false : 'needs root: run the tests as root' }, () => {
  let d: TestDaemon;
  let failed = false;
  before(async () => {
    // Events live --event-ttl after their last write (1 h by default, as kube-apiserver's): over a run of
    // minutes every pod's five or six Events stay, by design, and the RSS would measure that retention
    // (about 20 MB for 1,000 pods) rather than a leak. A short TTL makes their number steady within the
    // first tenth, so the drift after it is what the churn itself leaves.
    d = await TestDaemon.start({ name: 'soak-churn', podCidr: '10.88.238.0/24', extraArgs: ['--event-ttl', `${EVENT_TTL_S}s`] });
  });
  after(async () => {
    await d?.destroy(failed);
  });
  const step = (name: string, fn: () => Promise<void>) => it(name, reportingFailure(fn, () => (failed = true)));

  step(`${CYCLES} cycles leave the daemon's memory and fds and the host as they were`, async () => {
    const pid = d.pid!;
    let client = new ApiClient(d.cluster);
    let tracker = new PodTracker();
    const openWatch = async () => {
      const list = await client.listPods();
      assert.equal(list.status, 200);
      return client.watchPods(String(list.body.metadata.resourceVersion), (ev, at) => tracker.onEvent(ev, at), (err) => tracker.fail(err));
    };
    const cycle = async (name: string) => {
      const created = await client.createPod(churnPod(name));
      assert.equal(created.metadata?.name, name);
      await tracker.waitRunning(name, POD_TIMEOUT_MS);
      await client.deletePod(name, 1);
      await tracker.waitGone(name, POD_TIMEOUT_MS);
    };
    // One pod first, not counted: the first pod makes what the node keeps for its life (the bridge, the
    // QoS cgroups under the node's parent, the netlink and CNI state the daemon opens once), as the
    // kubelet's kubepods cgroups and a CNI bridge outlive every pod. The start is measured after it.
    let watch = await openWatch();
    await cycle('churn-warmup');
    watch.close();
    client.close();

    const quietBefore = !othersAtWork(d.paths);
    const invBefore = hostInventory();
    const dirsBefore = podDirEntries(d.paths);
    const rssStart = await settledRss(pid);
    const fdsStart = await stableFds(pid);

    client = new ApiClient(d.cluster);
    tracker = new PodTracker();
    watch = await openWatch();
    let next = 0;
    let quietDuring = quietBefore;
    const runUpTo = async (end: number) => {
      const worker = async () => {
        while (next < end) {
          const i = next++;
          await cycle(`churn-${i}`);
          if (i % 50 === 0 && othersAtWork(d.paths)) quietDuring = false;
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    };
    let churnMs = 0;
    let t0 = Date.now();
    try {
      await runUpTo(FIRST_TENTH);
      churnMs += Date.now() - t0;
      const rssTenth = await settledRss(pid);
      t0 = Date.now();
      await runUpTo(CYCLES);
      churnMs += Date.now() - t0;
      watch.close();
      client.close();

      const rssEnd = await settledRss(pid);
      const fdsEnd = await settledFds(pid, fdsStart.length);
      const cyclesPerSecond = CYCLES / (churnMs / 1000);
      recordFigure('churn', 'cycles', CYCLES);
      recordFigure('churn', 'cycles per second', Number(cyclesPerSecond.toFixed(2)), 'pods/s');
      recordFigure('churn', 'RSS at start', Number((rssStart / MB).toFixed(1)), 'MB');
      recordFigure('churn', `RSS after ${FIRST_TENTH} cycles`, Number((rssTenth / MB).toFixed(1)), 'MB');
      recordFigure('churn', 'RSS at end', Number((rssEnd / MB).toFixed(1)), 'MB');
      recordFigure('churn', `RSS drift since ${FIRST_TENTH} cycles`, Number(((rssEnd - rssTenth) / MB).toFixed(1)), 'MB');
      recordFigure('churn', 'fds at start', fdsStart.length);
      recordFigure('churn', 'fds at end', fdsEnd.length);

      assert.ok(
        rssEnd - rssTenth <= RSS_DRIFT_LIMIT,
        `RSS grew by ${((rssEnd - rssTenth) / MB).toFixed(1)} MB from ${FIRST_TENTH} to ${CYCLES} cycles (limit ${RSS_DRIFT_LIMIT / MB} MB)`,
      );
      // Only the client's own connections come and go legitimately, and they are closed (and waited for) above.
      const extra = fdDiff(fdsStart, fdsEnd);
      assert.ok(fdsEnd.length <= fdsStart.length, `the daemon holds ${fdsEnd.length - fdsStart.length} more fds than at the start:\n${extra.join('\n')}`);

      assert.deepEqual(await d.leftovers(), {});
      assert.deepEqual(podDirEntries(d.paths), dirsBefore, 'per-pod directories left in the data dir');
      const diff = inventoryDiff(invBefore, hostInventory());
      assert.deepEqual(onlyOwn(diff, d.paths), {}, 'host artifacts of this engine added or removed by the churn');
      // Everything else on the host counts only when no other daemon was at work meanwhile.
      const quietAfter = !othersAtWork(d.paths);
      if (quietDuring && quietAfter) assert.deepEqual(diff, {}, 'the host changed during the churn (no other peapod daemon ran)');
      else console.log(`# churn: other daemons ran meanwhile; host-wide changes not attributed to this engine: ${JSON.stringify(diff).slice(0, 2000)}`);
    } finally {
      watch.close();
      client.close();
    }
  });
});
