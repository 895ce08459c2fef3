// Store durability (issue 13, scope 3): the daemon is killed with SIGKILL during heavy writes —
// ConfigMaps created and replaced, Events created, pods created (the pod manager writes their statuses
// as they start) and their status patched with a condition of the test's own — soakSize(3, 20) times.
// After each kill the SQLite file, opened read-only, passes integrity_check and quick_check; after the
// restart every write the API acknowledged (201 for a create, 200 for an update) is there with its
// content: an object whose write was in flight at the kill may hold either its last acknowledged content
// or the unanswered one, never older; a create in flight may or may not have happened. The store's
// resourceVersion never goes back below one it handed out.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import https from 'node:https';
import Database from 'better-sqlite3';
import { ApiClient } from '../../bench/api-client.js';
import type { ClusterConfig } from '../../src/cli/kubeconfig.js';
import { churnPod } from '../../bench/pod-specs.js';
import { sleep, TestDaemon } from '../support/daemon.js';
import { reportingFailure } from '../support/failure.js';
import { recordFigure, soakSize } from '../support/soak.js';

const ROOT = process.getuid?.() === 0;
const ROUNDS = soakSize(3, 20);
const NS = '/api/v1/namespaces/default';
/** Pods created per round; deleted (gracefully, so their teardown writes too) during the next round. */
const PODS_PER_ROUND = 2;
const CONDITION = 'example.com/soak';

/** What the API acknowledged for one object, and what it was sent but never answered. */
interface Expected {
  kind: 'configmaps' | 'events' | 'pods';
  name: string;
  uid: string;
  /** The content last acknowledged (ConfigMap data, Event message, the pod's condition message). */
  acked: string;
  /** A write sent whose answer never came (the kill): the object may hold this instead. */
  inFlight?: string;
  ackedRv: number;
  /** Deleted by the test (acknowledged): no longer checked. */
  deleted?: boolean;
}

const payload = (round: number, i: number, extra: string) => `r${round}-${i}-${extra}-${'x'.repeat(200 + ((i * 37) % 1800))}`;

function contentOf(kind: Expected['kind'], obj: any): string | undefined {
  if (kind === 'configmaps') return obj?.data?.v;
  if (kind === 'events') return obj?.message;
  return (obj?.status?.conditions ?? []).find((c: { type: string }) => c.type === CONDITION)?.message ?? '';
}

/** Waits until the process is gone (reaped, or a zombie). */
async function waitExit(pid: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    let state = '';
    try {
      state = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] ?? '';
    } catch {
      return;
    }
    if (state === 'Z') return;
    await sleep(20);
  }
  throw new Error(`the daemon (pid ${pid}) did not die`);
}

describe('store durability: SIGKILL during heavy writes', { skip: ROOT ? false : 'needs root: run the tests as root' }, () => {
  let d: TestDaemon;
  let failed = false;
  before(async () => {
    d = await TestDaemon.start({ name: 'soak-store', podCidr: '10.88.238.0/24' });
  });
  after(async () => {
    await d?.destroy(failed);
  });
  const step = (name: string, fn: () => Promise<void>) => it(name, reportingFailure(fn, () => (failed = true)));

  step(`${ROUNDS} kills lose no acknowledged write and leave an intact database`, async () => {
    const expected = new Map<string, Expected>();
    const recoveries: number[] = [];
    let acked = 0;
    let unanswered = 0;
    let podsToDelete: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const client = new ApiClient(d.cluster);
      let stop = false;
      let roundAcks = 0;
      /** One request; on a failure to get an answer (the kill) the loop ends. */
      const send = async (method: string, path: string, body: unknown) => {
        const r = await client.request(method, path, body, { timeoutMs: 20_000 });
        if (r.status >= 500) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
        return r;
      };
      const loop = async (fn: (i: number) => Promise<void>) => {
        for (let i = 0; !stop; i++) {
          try {
            await fn(i);
          } catch (err) {
            if (stop) return; // the kill: the answer never came
            throw err;
          }
        }
      };
      const createConfigMaps = (w: number) =>
        loop(async (i) => {
          const name = `cm-${round}-${w}-${i}`;
          const v = payload(round, i, 'create');
          const e: Expected = { kind: 'configmaps', name, uid: '', acked: '', inFlight: v, ackedRv: 0 };
          expected.set(`configmaps/${name}`, e);
          const r = await send('POST', `${NS}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { v } });
          assert.equal(r.status, 201, `create configmap ${name}: ${r.status}`);
          Object.assign(e, { uid: r.body.metadata.uid, acked: v, inFlight: undefined, ackedRv: Number(r.body.metadata.resourceVersion) });
          roundAcks++;
        });
      const replaceConfigMaps = (w: number) =>
        loop(async (i) => {
          const pool = [...expected.values()].filter((e) => e.kind === 'configmaps' && e.uid && e.inFlight === undefined);
          if (pool.length === 0) return void (await sleep(10));
          const e = pool[(i * 7919 + w) % pool.length]!;
          const v = payload(round, i, `update${w}`);
          e.inFlight = v;
          const r = await send('PUT', `${NS}/configmaps/${e.name}`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: e.name }, data: { v } });
          assert.equal(r.status, 200, `replace configmap ${e.name}: ${r.status}`);
          Object.assign(e, { acked: v, inFlight: undefined, ackedRv: Number(r.body.metadata.resourceVersion) });
          roundAcks++;
        });
      const createEvents = (w: number) =>
        loop(async (i) => {
          const name = `ev-${round}-${w}-${i}`;
          const message = payload(round, i, 'event');
          const e: Expected = { kind: 'events', name, uid: '', acked: '', inFlight: message, ackedRv: 0 };
          expected.set(`events/${name}`, e);
          const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
          const r = await send('POST', `${NS}/events`, {
            apiVersion: 'v1', kind: 'Event', metadata: { name },
            involvedObject: { kind: 'ConfigMap', namespace: 'default', name: `cm-${round}-0-0`, apiVersion: 'v1' },
            reason: 'Soak', message, type: 'Normal', count: 1, firstTimestamp: now, lastTimestamp: now, source: { component: 'soak' },
          });
          assert.equal(r.status, 201, `create event ${name}: ${r.status}`);
          Object.assign(e, { uid: r.body.metadata.uid, acked: message, inFlight: undefined, ackedRv: Number(r.body.metadata.resourceVersion) });
          roundAcks++;
        });
      // Pods: created (their starts make the pod manager write statuses), the last round's deleted, and
      // the running ones' status patched with a condition the kubelet does not own (kept, as upstream).
      const pods = async () => {
        for (const name of podsToDelete) {
          if (stop) return;
          const e = expected.get(`pods/${name}`)!;
          e.deleted = true; // whatever the answer: a delete in flight may have happened
          await send('DELETE', `${NS}/pods/${name}`, { gracePeriodSeconds: 1 }).catch((err) => {
            if (!stop) throw err;
          });
        }
        podsToDelete = [];
        for (let i = 0; i < PODS_PER_ROUND && !stop; i++) {
          const name = `pod-${round}-${i}`;
          const e: Expected = { kind: 'pods', name, uid: '', acked: '', ackedRv: 0 };
          expected.set(`pods/${name}`, e);
          let r;
          try {
            r = await send('POST', `${NS}/pods`, churnPod(name));
          } catch (err) {
            if (stop) return;
            throw err;
          }
          assert.equal(r.status, 201, `create pod ${name}: ${r.status}`);
          Object.assign(e, { uid: r.body.metadata.uid, ackedRv: Number(r.body.metadata.resourceVersion) });
          podsToDelete.push(name);
          roundAcks++;
        }
        const live = [...expected.values()].filter((e) => e.kind === 'pods' && e.uid && !e.deleted);
        await loop(async (i) => {
          if (live.length === 0) return void (await sleep(50));
          const e = live[i % live.length]!;
          if (e.inFlight !== undefined) return void (await sleep(10));
          const message = `${round}-${i}`;
          e.inFlight = message;
          const r = await strategicPatch(d.cluster, `${NS}/pods/${e.name}/status`, {
            status: { conditions: [{ type: CONDITION, status: 'True', message, lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }] },
          });
          assert.equal(r.status, 200, `patch status of pod ${e.name}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
          Object.assign(e, { acked: message, inFlight: undefined, ackedRv: Number(r.body.metadata.resourceVersion) });
          roundAcks++;
        });
      };
      const writers = [
        ...[0, 1, 2, 3].map(createConfigMaps),
        ...[0, 1].map(replaceConfigMaps),
        ...[0, 1].map(createEvents),
        pods(),
      ];
      const done = Promise.all(writers);
      // The kill comes at a random instant once the writes are under way.
      const killAfter = 300 + Math.floor(Math.random() * 1500);
      const start = Date.now();
      while (roundAcks < 20 || Date.now() - start < killAfter) await sleep(5);
      const pid = d.pid!;
      stop = true;
      process.kill(pid, 'SIGKILL');
      await done;
      client.close();
      await waitExit(pid);
      unanswered += [...expected.values()].filter((e) => e.inFlight !== undefined).length;

      // The file as the kill left it (WAL included): integrity_check and quick_check, read-only.
      const db = new Database(d.paths.dbPath, { readonly: true, fileMustExist: true });
      try {
        assert.deepEqual(db.pragma('integrity_check'), [{ integrity_check: 'ok' }], `round ${round}: integrity_check`);
        assert.deepEqual(db.pragma('quick_check'), [{ quick_check: 'ok' }], `round ${round}: quick_check`);
      } finally {
        db.close();
      }

      const t0 = Date.now();
      await d.serve();
      recoveries.push(Date.now() - t0);

      // Every acknowledged write is there, with its content.
      const after = new ApiClient(d.cluster);
      try {
        let listRv = 0;
        const stored = new Map<string, any>();
        for (const kind of ['configmaps', 'events', 'pods'] as const) {
          const r = await after.request('GET', `${NS}/${kind}`);
          assert.equal(r.status, 200);
          listRv = Math.max(listRv, Number(r.body.metadata.resourceVersion));
          for (const o of r.body.items) stored.set(`${kind}/${o.metadata.name}`, o);
        }
        const lost: string[] = [];
        for (const [key, e] of expected) {
          if (e.deleted) continue;
          const o = stored.get(key);
          if (!e.uid) {
            // A create never answered: either it happened or not; if it did, with the content sent.
            if (o && e.kind !== 'pods' && contentOf(e.kind, o) !== e.inFlight) lost.push(`${key}: unanswered create stored with other content`);
            if (o) Object.assign(e, { uid: o.metadata.uid, acked: contentOf(e.kind, o) ?? '', inFlight: undefined, ackedRv: Number(o.metadata.resourceVersion) });
            else expected.delete(key);
            continue;
          }
          if (!o) {
            lost.push(`${key}: acknowledged (rv ${e.ackedRv}) but missing`);
            continue;
          }
          if (o.metadata.uid !== e.uid) lost.push(`${key}: uid ${o.metadata.uid}, acknowledged ${e.uid}`);
          const c = contentOf(e.kind, o);
          if (c !== e.acked && c !== e.inFlight) lost.push(`${key}: holds ${String(c).slice(0, 40)}…, acknowledged ${e.acked.slice(0, 40)}…`);
          // From now on the stored content is what was acknowledged.
          Object.assign(e, { acked: c ?? '', inFlight: undefined });
          acked++;
        }
        assert.deepEqual(lost, [], `round ${round}: acknowledged writes lost`);
        const maxAcked = Math.max(0, ...[...expected.values()].map((e) => e.ackedRv));
        assert.ok(listRv >= maxAcked, `round ${round}: the resourceVersion went back to ${listRv}, below ${maxAcked} handed out before the kill`);
      } finally {
        after.close();
      }
    }
    const cms = [...expected.values()].filter((e) => e.kind === 'configmaps').length;
    const evs = [...expected.values()].filter((e) => e.kind === 'events').length;
    recordFigure('store-durability', 'kills', ROUNDS);
    recordFigure('store-durability', 'acknowledged objects checked (sum over kills)', acked);
    recordFigure('store-durability', 'configmaps / events at the end', `${cms} / ${evs}`);
    recordFigure('store-durability', 'unanswered writes at the kills', unanswered);
    recordFigure('store-durability', 'recovery (restart → API answers), median', recoveries.sort((a, b) => a - b)[Math.floor(recoveries.length / 2)]! / 1000, 's');
    recordFigure('store-durability', 'recovery (restart → API answers), max', Math.max(...recoveries) / 1000, 's');
  });
});

/** A strategic merge patch (what kubectl sends for a pod's status) on a connection of its own. */
function strategicPatch(c: ClusterConfig, path: string, body: unknown, timeoutMs = 20_000): Promise<{ status: number; body: any }> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(new URL(path, c.server), {
      method: 'PATCH', ca: c.ca, cert: c.cert, key: c.key, agent: false, timeout: timeoutMs,
      headers: { 'content-type': 'application/strategic-merge-patch+json', accept: 'application/json', 'content-length': Buffer.byteLength(payload) },
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => {
        let json: unknown = text;
        try {
          json = JSON.parse(text);
        } catch {
          /* keep the text */
        }
        resolve({ status: res.statusCode ?? 0, body: json });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`PATCH ${path}: no answer in ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}
