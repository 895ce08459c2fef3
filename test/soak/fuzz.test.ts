// Soak: fuzzed input against a real daemon's API over its TLS listener, as its admin (the kubeconfig's
// client certificate). Generated and mutated manifests, corrupted and hostile bodies, bad content types,
// query parameters, paths, methods, headers and patches (test/support/fuzz-cases.ts, from a seeded PRNG:
// PEAPOD_FUZZ_SEED=<seed> replays a run). Every answer is a 4xx with a Status whose code is the HTTP
// status, or a 2xx when the input happens to be valid; never a 5xx, never a hang. Afterwards the daemon
// is the same process, logged no internal error, and a pod that was running before is untouched.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TestDaemon, sleep } from '../support/daemon.js';
import { reportingFailure } from '../support/failure.js';
import { fuzzCase, Prng, type FuzzCase } from '../support/fuzz-cases.js';
import { rawExchange, type RawAnswer, type RawTarget } from '../support/raw-https.js';
import { openFds, recordFigure, rssBytes, soakSize } from '../support/soak.js';

const ROOT = process.getuid?.() === 0;
const CASES = soakSize(1500, 10_000);
const CONCURRENCY = 8;
const REQUEST_TIMEOUT_MS = 15_000;
const NS = 'fuzz';

/** Why an answer breaks the rule, or undefined when it keeps it. */
function violation(c: FuzzCase, a: RawAnswer): string | undefined {
  if (a.closedEarly) return c.endAfterBody ? undefined : 'the connection closed without an answer';
  if (a.status >= 500 || a.status < 200) return `status ${a.status}`;
  if (a.status < 400) return undefined;
  if (c.method === 'HEAD') return undefined;
  let body: any;
  try {
    body = JSON.parse(a.body.toString('utf8'));
  } catch {
    return `a ${a.status} whose body is not JSON: ${JSON.stringify(a.body.toString('utf8').slice(0, 200))}`;
  }
  if (body?.kind !== 'Status' || body?.apiVersion !== 'v1' || body?.code !== a.status) return `a ${a.status} whose body is not a Status with that code: ${JSON.stringify(body).slice(0, 300)}`;
  return undefined;
}

async function api(t: RawTarget, method: string, target: string, body?: unknown, type = 'application/json'): Promise<{ status: number; json: any }> {
  const a = await rawExchange(t, { method, target, headers: body === undefined ? [] : [['Content-Type', type]], body: body === undefined ? undefined : Buffer.from(JSON.stringify(body)) }, { timeoutMs: 30_000 });
  let json: any;
  try {
    json = JSON.parse(a.body.toString('utf8'));
  } catch {
    json = undefined;
  }
  return { status: a.status, json };
}

const sleeper = (name: string, ns: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: ns },
  spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'localhost/busybox:latest', command: ['sleep', '3600'] }] },
});

describe('fuzzed input to the API', { skip: ROOT ? false : 'needs root: run the tests as root' }, () => {
  let d: TestDaemon;
  let failed = false;
  let target: RawTarget;

  before(async () => {
    d = await TestDaemon.start({ name: 'soak-fuzz', podCidr: '10.88.240.0/24' });
    const url = new URL(d.cluster.server);
    target = { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port), ca: d.cluster.ca, cert: d.cluster.cert, key: d.cluster.key };
  });
  after(async () => {
    await d?.destroy(failed);
  });

  it(
    `answers ${CASES} fuzzed requests with a 4xx Status or a 2xx, never a 5xx or a hang, and stays up with other pods untouched`,
    { timeout: soakSize(300_000, 900_000) },
    reportingFailure(async () => {
      assert.equal((await api(target, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } })).status, 201);
      assert.equal((await api(target, 'POST', '/api/v1/namespaces/default/pods', sleeper('guard', 'default'))).status, 201);
      assert.equal((await api(target, 'POST', `/api/v1/namespaces/${NS}/pods`, sleeper('fz-base', NS))).status, 201);
      assert.equal((await api(target, 'POST', `/api/v1/namespaces/${NS}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fz-base' }, data: { a: 'b' } })).status, 201);
      const guard = await d.waitFor('the guard pod running', async () => {
        const p = (await api(target, 'GET', '/api/v1/namespaces/default/pods/guard')).json;
        return p?.status?.phase === 'Running' && p;
      });
      const pid = d.pid;
      const rssBefore = rssBytes(pid!) ?? 0;
      const fdsBefore = openFds(pid!).length;

      const seed = Number(process.env.PEAPOD_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 32));
      console.log(`fuzz seed ${seed} (PEAPOD_FUZZ_SEED=${seed} replays this run)`);
      const rng = new Prng(seed);
      const cases: FuzzCase[] = [];
      for (let i = 0; i < CASES; i++) {
        const c = fuzzCase(rng, i, NS);
        // The fuzz namespace stays: deleting it would make the rest of the run a string of 404s.
        if (c.method === 'DELETE' && /^\/api\/v1\/namespaces\/fuzz\/?(\?|$)/.test(c.target)) c.method = 'GET';
        cases.push(c);
      }

      const byStatus = new Map<string, number>();
      const failures: string[] = [];
      const began = Date.now();
      let next = 0;
      const worker = async () => {
        while (next < cases.length) {
          const i = next++;
          const c = cases[i]!;
          let why: string | undefined;
          let key: string;
          const t0 = Date.now();
          try {
            const a = await rawExchange(target, c, { timeoutMs: REQUEST_TIMEOUT_MS, streaming: c.streaming });
            key = a.closedEarly ? 'closed' : String(a.status);
            why = violation(c, a);
          } catch (err) {
            key = 'hang';
            why = (err as Error).message;
          }
          byStatus.set(key, (byStatus.get(key) ?? 0) + 1);
          if (why) {
            failures.push(`case ${i} (${c.label}: ${c.method} ${c.target.slice(0, 160)}): ${why}`);
            console.log(`fuzz failure: ${failures[failures.length - 1]}`);
          }
          if (process.env.PEAPOD_FUZZ_SLOW && Date.now() - t0 > 1000) console.log(`fuzz slow case ${i} ${Date.now() - t0} ms: ${c.label}`);
          // Pods the fuzz made valid run to completion; remove them now and then so the subnet never fills.
          if (i % 250 === 249) await api(target, 'DELETE', `/api/v1/namespaces/${NS}/pods?fieldSelector=metadata.name!%3Dfz-base&gracePeriodSeconds=0`);
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      const seconds = (Date.now() - began) / 1000;

      recordFigure('fuzz', 'cases', CASES, 'requests');
      recordFigure('fuzz', 'time', Math.round(seconds * 10) / 10, 's');
      for (const [k, n] of [...byStatus].sort()) recordFigure('fuzz', `status ${k}`, n, 'requests');
      console.log(`fuzz: ${CASES} cases in ${seconds.toFixed(1)} s (seed ${seed}): ${[...byStatus].sort().map(([k, n]) => `${k}×${n}`).join(' ')}`);
      assert.deepEqual(failures.slice(0, 30), [], `${failures.length} of ${CASES} cases broke the rule (seed ${seed})`);

      // The daemon is the same process, it logged no internal error, and the guard pod never noticed.
      assert.equal(d.pid, pid, 'the daemon restarted');
      assert.equal((await api(target, 'GET', '/readyz')).status, 200);
      const internal = d.log().split('\n').filter((l) => l.includes('request failed'));
      assert.deepEqual(internal.slice(0, 5), [], 'the daemon logged internal errors');
      await sleep(500);
      const now = (await api(target, 'GET', '/api/v1/namespaces/default/pods/guard')).json;
      assert.equal(now.metadata.uid, guard.metadata.uid);
      assert.equal(now.status.phase, 'Running');
      assert.equal(now.status.containerStatuses[0].restartCount, guard.status.containerStatuses[0].restartCount);
      assert.ok(now.status.containerStatuses[0].state.running, 'the guard container runs');
      recordFigure('fuzz', 'rss after − before', Math.round(((rssBytes(pid!) ?? 0) - rssBefore) / 1e5) / 10, 'MB');
      recordFigure('fuzz', 'fds after − before', openFds(pid!).length - fdsBefore, 'fds');
    }, () => (failed = true)),
  );
});
