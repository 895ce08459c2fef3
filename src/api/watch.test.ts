// Watches over a real TLS socket (issue 13): an initial list larger than the unread bound, bounds on
// open watches, one event line built per change for every watcher.
import assert from 'node:assert/strict';
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import { after, before, test } from 'node:test';
import { FakeRuntime } from '../runtime/fake.js';
import { SystemClock } from '../system/clock.js';
import { startTlsHarness, type TlsHarness } from './testing/harness.js';
import { WatchLimiter } from './watch-limits.js';
import { SharedEventLines } from './watch-lines.js';
import { MAX_UNREAD_WATCH_BYTES } from './watch-stream.js';

interface OpenWatch {
  res: IncomingMessage;
  /** Resolves with the next parsed event line (undefined once the stream ended). */
  next(): Promise<{ type: string; object: { metadata: { name?: string; annotations?: Record<string, string> } } } | undefined>;
  body(): Promise<string>;
  close(): void;
}

function openWatch(h: TlsHarness, who: 'admin' | 'viewer', path: string): Promise<OpenWatch> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, h.url);
    const req = https.get(url, { ca: h.caPem, headers: { authorization: h.auth(who) } }, (res) => {
      // Whole lines are cut from the chunks as they arrive: only a new chunk is searched for a newline.
      let partial: Buffer[] = [];
      const ready: string[] = [];
      let ended = false;
      const waiting: (() => void)[] = [];
      res.on('data', (d: Buffer) => {
        for (let nl = d.indexOf(10); nl >= 0; nl = d.indexOf(10)) {
          ready.push(Buffer.concat([...partial, d.subarray(0, nl)]).toString('utf8'));
          partial = [];
          d = d.subarray(nl + 1);
        }
        if (d.length) partial.push(d);
        waiting.splice(0).forEach((w) => w());
      });
      res.on('end', () => {
        ended = true;
        waiting.splice(0).forEach((w) => w());
      });
      res.on('error', () => undefined);
      const next: OpenWatch['next'] = async () => {
        for (;;) {
          const line = ready.shift();
          if (line !== undefined) return JSON.parse(line);
          if (ended) return undefined;
          await new Promise<void>((r) => waiting.push(r));
        }
      };
      const body = async () => {
        while (!ended) await new Promise<void>((r) => waiting.push(r));
        return [...ready, Buffer.concat(partial).toString('utf8')].join('\n');
      };
      resolve({ res, next, body, close: () => req.destroy() });
    });
    req.on('error', reject);
  });
}

const runtime = new FakeRuntime({ clock: new SystemClock() });
const lines = new SharedEventLines();
const limiter = new WatchLimiter({ total: 3, perClient: 2 });
let h: TlsHarness;

before(async () => {
  h = await startTlsHarness(runtime, { watches: { limiter, lines } });
});
after(async () => {
  await h.close();
});

test('a watch whose initial list is larger than the unread bound sends all of it, then its bookmark (issue 13)', async () => {
  // ~20 MiB of ConfigMaps: before, every initial event was written at once and the watch was closed as a
  // slow client after ~16 MiB, so clients listed again forever.
  const value = 'x'.repeat(1000 * 1024);
  const count = Math.ceil((MAX_UNREAD_WATCH_BYTES * 1.25) / value.length);
  for (let i = 0; i < count; i++) h.store.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `big-${i}`, namespace: 'big' }, data: { v: value } });
  const w = await openWatch(h, 'admin', '/api/v1/namespaces/big/configmaps?watch=1&allowWatchBookmarks=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan');
  try {
    assert.equal(w.res.statusCode, 200);
    const names: string[] = [];
    for (;;) {
      const ev = await w.next();
      assert.ok(ev, `the watch ended after ${names.length} of ${count} initial events`);
      if (ev.type === 'BOOKMARK') {
        assert.equal(ev.object.metadata.annotations?.['k8s.io/initial-events-end'], 'true');
        break;
      }
      assert.equal(ev.type, 'ADDED');
      names.push(ev.object.metadata.name!);
    }
    assert.equal(names.length, count);
  } finally {
    w.close();
  }
});

test('a client over its watch bound, or over the total, is answered 429 with Retry-After; a closed watch frees its seat (issue 13)', async () => {
  const path = '/api/v1/namespaces?watch=1';
  const a1 = await openWatch(h, 'admin', path);
  const a2 = await openWatch(h, 'admin', path);
  const open = [a1, a2];
  try {
    assert.equal(a1.res.statusCode, 200);
    assert.equal(a2.res.statusCode, 200);
    const a3 = await openWatch(h, 'admin', path);
    assert.equal(a3.res.statusCode, 429);
    assert.equal(a3.res.headers['retry-after'], '1');
    const status = JSON.parse(await a3.body());
    assert.deepEqual(
      { kind: status.kind, code: status.code, reason: status.reason, message: status.message, details: status.details },
      { kind: 'Status', code: 429, reason: 'TooManyRequests', message: 'Too many requests, please try again later.', details: { retryAfterSeconds: 1 } },
    );
    const v1 = await openWatch(h, 'viewer', path);
    open.push(v1);
    assert.equal(v1.res.statusCode, 200, 'another client has seats of its own');
    const v2 = await openWatch(h, 'viewer', path);
    assert.equal(v2.res.statusCode, 429, 'the total bound is reached');
    await v2.body();
    a1.close();
    // The seat comes back when the server sees the connection close.
    for (let i = 0; ; i++) {
      const again = await openWatch(h, 'admin', path);
      if (again.res.statusCode === 200) {
        open.push(again);
        break;
      }
      await again.body();
      assert.ok(i < 100, 'the closed watch never gave its seat back');
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    for (const w of open) w.close();
  }
});

test('a change is serialised once for every watcher of the same encoding (issue 13)', async () => {
  for (let i = 0; limiter.size > 0; i++) {
    assert.ok(i < 100, 'the watches of the test before were never released');
    await new Promise((r) => setTimeout(r, 20));
  }
  const path = '/api/v1/namespaces?watch=1&resourceVersion=' + h.store.currentResourceVersion();
  const ws = [await openWatch(h, 'admin', path), await openWatch(h, 'admin', path), await openWatch(h, 'viewer', path)];
  try {
    const before = lines.built;
    h.store.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'one' } });
    for (const w of ws) assert.equal((await w.next())?.object.metadata.name, 'one');
    assert.equal(lines.built - before, 1);
  } finally {
    for (const w of ws) w.close();
  }
});
