import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { FakeClock } from '../../system/clock.js';
import type { Image } from '../../images/images.js';
import { jsonLines } from '../client.js';
import { CliContext, CliError, type CliIO } from '../context.js';
import {
  barText,
  followPull,
  layerLine,
  parseCreds,
  PlainPullProgress,
  pullingFromLine,
  pullProgressFor,
  TerminalPullProgress,
  type PullLine,
} from './image-pull.js';

const A = 'sha256:a1b2c3d4e5f6' + '0'.repeat(52);
const B = 'sha256:b2c3d4e5f6a1' + '1'.repeat(52);
const C = 'sha256:c3d4e5f6a1b2' + '2'.repeat(52);
const MANIFEST = 'sha256:' + 'd'.repeat(64);
const IMAGE: Image = {
  id: 'sha256:' + 'e'.repeat(64),
  repoTags: ['docker.io/library/nginx:1.27'],
  repoDigests: [`docker.io/library/nginx@${MANIFEST}`],
  size: 1,
  createdAt: 0,
  config: {} as never,
  layers: [],
};

function fakeIO(opts: { terminal?: boolean } = {}): CliIO & { out: string[]; errs: string[] } {
  const out: string[] = [];
  const errs: string[] = [];
  return {
    out,
    errs,
    stdout: (t) => out.push(t),
    stderr: (t) => errs.push(t),
    stdin: Readable.from([]),
    env: {},
    clock: new FakeClock(),
    ...(opts.terminal ? { terminal: { setRawMode: () => {}, size: () => ({ width: 100, height: 30 }), onResize: () => () => {} } } : {}),
  };
}

/** A pull as the daemon streams it: A already stored, B and C downloaded (B with a retry). */
const RECORDED: PullLine[] = [
  { type: 'resolved', ref: 'docker.io/library/nginx:1.27', manifestDigest: MANIFEST, platform: 'linux/amd64', layers: [{ digest: A, size: 100 }, { digest: B, size: 45_600_000 }, { digest: C, size: 2_000 }] },
  { type: 'layer', digest: A, status: 'exists', current: 0, total: 100 },
  { type: 'layer', digest: B, status: 'waiting', current: 0, total: 45_600_000 },
  { type: 'layer', digest: C, status: 'waiting', current: 0, total: 2_000 },
  { type: 'layer', digest: B, status: 'downloading', current: 1_000_000, total: 45_600_000 },
  { type: 'layer', digest: B, status: 'downloading', current: 12_300_000, total: 45_600_000 },
  { type: 'retry', digest: B, attempt: 1, delayMs: 2000, reason: 'connection reset by peer' },
  { type: 'layer', digest: C, status: 'downloading', current: 2_000, total: 2_000 },
  { type: 'layer', digest: C, status: 'verifying', current: 2_000, total: 2_000 },
  { type: 'layer', digest: B, status: 'downloading', current: 45_600_000, total: 45_600_000 },
  { type: 'layer', digest: B, status: 'verifying', current: 45_600_000, total: 45_600_000 },
  { type: 'layer', digest: B, status: 'extracting', current: 10_000_000, total: 45_600_000 },
  { type: 'layer', digest: B, status: 'extracting', current: 45_600_000, total: 45_600_000 },
  { type: 'layer', digest: B, status: 'done', current: 45_600_000, total: 45_600_000 },
  { type: 'layer', digest: C, status: 'done', current: 2_000, total: 2_000 },
  { type: 'pulled', image: IMAGE },
];

async function* lines(items: PullLine[], pauseMs = 0): AsyncGenerator<PullLine> {
  for (const item of items) {
    if (pauseMs) await new Promise((r) => setTimeout(r, pauseMs));
    yield item;
  }
}

test('--creds splits at the first colon; no colon or no username is a CLI error that never shows the value', () => {
  assert.deepEqual(parseCreds('alice:pa:ss'), { username: 'alice', password: 'pa:ss' });
  assert.deepEqual(parseCreds('alice:'), { username: 'alice', password: '' });
  assert.throws(() => parseCreds('alicesecret'), (e: Error) => e instanceof CliError && /USERNAME:PASSWORD/.test(e.message) && !e.message.includes('alicesecret'));
  assert.throws(() => parseCreds(':secret'), (e: Error) => e instanceof CliError && !e.message.includes('secret'));
});

test('docker\'s "Pulling from" line names the repository without docker.io or another registry host', () => {
  assert.equal(pullingFromLine('docker.io/library/nginx:1.27'), '1.27: Pulling from library/nginx');
  assert.equal(pullingFromLine('registry.example.com:5000/team/app:2.1'), '2.1: Pulling from team/app');
  assert.equal(pullingFromLine(`docker.io/library/nginx@${MANIFEST}`), `${MANIFEST}: Pulling from library/nginx`);
  assert.equal(pullingFromLine('localhost/busybox:latest'), 'latest: Pulling from busybox');
});

test('piped: one line per layer state change, then Digest, Status and the image id', async () => {
  const io = fakeIO();
  const progress = pullProgressFor(io);
  assert.ok(progress instanceof PlainPullProgress);
  await followPull(new CliContext(io, {}), lines(RECORDED), progress, 'nginx:1.27');
  assert.equal(io.out.join(''), [
    '1.27: Pulling from library/nginx',
    'a1b2c3d4e5f6: Already exists',
    'b2c3d4e5f6a1: Pulling fs layer',
    'c3d4e5f6a1b2: Pulling fs layer',
    'b2c3d4e5f6a1: Retrying in 2s: connection reset by peer',
    'c3d4e5f6a1b2: Verifying Checksum',
    'b2c3d4e5f6a1: Verifying Checksum',
    'b2c3d4e5f6a1: Download complete',
    'b2c3d4e5f6a1: Pull complete',
    'c3d4e5f6a1b2: Download complete',
    'c3d4e5f6a1b2: Pull complete',
    `Digest: ${MANIFEST}`,
    'Status: Downloaded newer image for docker.io/library/nginx:1.27',
    IMAGE.id,
    '',
  ].join('\n'));
  assert.deepEqual(io.errs, []);
});

test('piped: every layer already stored reads "Image is up to date"', async () => {
  const io = fakeIO();
  await followPull(new CliContext(io, {}), lines([
    { type: 'resolved', ref: 'docker.io/library/nginx:1.27', manifestDigest: MANIFEST, platform: 'linux/amd64', layers: [{ digest: A, size: 100 }] },
    { type: 'layer', digest: A, status: 'exists', current: 100, total: 100 },
    { type: 'pulled', image: IMAGE },
  ]), pullProgressFor(io), 'nginx:1.27');
  assert.equal(io.out.join(''), [
    '1.27: Pulling from library/nginx',
    'a1b2c3d4e5f6: Already exists',
    `Digest: ${MANIFEST}`,
    'Status: Image is up to date for docker.io/library/nginx:1.27',
    IMAGE.id,
    '',
  ].join('\n'));
});

test('a final error line prints "Error: <message>" on stderr and exits 1', async () => {
  const io = fakeIO();
  const ndjson = [RECORDED[0], RECORDED[2], { type: 'error', status: { kind: 'Status', status: 'Failure', message: 'pull access denied for nginx: unauthorized', reason: 'Unauthorized', code: 401 } }]
    .map((l) => JSON.stringify(l) + '\n')
    .join('');
  // Split mid-line, as a socket may deliver it.
  const body = Readable.from([Buffer.from(ndjson.slice(0, 50)), Buffer.from(ndjson.slice(50))]);
  await assert.rejects(followPull(new CliContext(io, {}), jsonLines<PullLine>(body), pullProgressFor(io), 'nginx:1.27'), (e: Error) => e instanceof CliError && e.exitCode === 1);
  assert.deepEqual(io.errs, ['Error: pull access denied for nginx: unauthorized\n']);
  assert.doesNotMatch(io.out.join(''), /Status:|Digest:/);
});

test('a stream that ends without a result is an error too', async () => {
  const io = fakeIO();
  await assert.rejects(followPull(new CliContext(io, {}), lines(RECORDED.slice(0, 3)), pullProgressFor(io), 'nginx:1.27'), CliError);
  assert.match(io.errs.join(''), /^Error: .*without a result/);
});

test('terminal: bars per layer that finish all complete, retries logged above them', async () => {
  assert.ok(pullProgressFor(fakeIO({ terminal: true })) instanceof TerminalPullProgress);
  const io = fakeIO({ terminal: true });
  // Redrawn every 2ms and fed every 5ms, so the bars are on screen before the retry line pushes them down.
  const progress = new TerminalPullProgress(io, 100, 500);
  await followPull(new CliContext(io, {}), lines(RECORDED, 5), progress, 'nginx:1.27');
  const text = io.out.join('');
  assert.ok(text.startsWith('1.27: Pulling from library/nginx\n'));
  // Each layer's last drawing is its final state.
  const last = (id: string) => text.slice(text.lastIndexOf(`${id}: `)).split(/[\n\x1b]/)[0];
  assert.equal(last('a1b2c3d4e5f6'), 'a1b2c3d4e5f6: Already exists');
  assert.equal(last('b2c3d4e5f6a1'), 'b2c3d4e5f6a1: Pull complete');
  assert.equal(last('c3d4e5f6a1b2'), 'c3d4e5f6a1b2: Pull complete');
  assert.match(text, /b2c3d4e5f6a1: Retrying in 2s: connection reset by peer\n/);
  // The retry line took a row: the unchanged "Already exists" bar is drawn again below it.
  assert.ok(text.lastIndexOf('a1b2c3d4e5f6: Already exists') > text.indexOf('Retrying in 2s'));
  assert.ok(text.endsWith(`Digest: ${MANIFEST}\nStatus: Downloaded newer image for docker.io/library/nginx:1.27\n${IMAGE.id}\n`));
});

test('terminal: an error stops the bars before the message', async () => {
  const io = fakeIO({ terminal: true });
  const progress = new TerminalPullProgress(io, 80);
  await assert.rejects(followPull(new CliContext(io, {}), lines([RECORDED[0], { type: 'error', status: { message: 'manifest unknown' } }]), progress, 'x'), CliError);
  assert.deepEqual(io.errs, ['Error: manifest unknown\n']);
});

test('a layer line is docker\'s: short id, state, bar and sizes while bytes move', () => {
  assert.equal(barText(0, 10, 10), '[          ]');
  assert.equal(barText(5, 10, 10), '[====>     ]');
  assert.equal(barText(10, 10, 10), '[==========]');
  assert.equal(layerLine({ id: 'a1b2c3d4e5f6', status: 'downloading' }, 12_300_000, 45_600_000, 120),
    `a1b2c3d4e5f6: Downloading [${'='.repeat(12)}>${' '.repeat(37)}]  12.3MB/45.6MB`);
  assert.equal(layerLine({ id: 'a1b2c3d4e5f6', status: 'verifying' }, 1, 1, 120), 'a1b2c3d4e5f6: Verifying Checksum');
  assert.equal(layerLine({ id: 'a1b2c3d4e5f6', status: 'extracting' }, 1000, 2000, 30), 'a1b2c3d4e5f6: Extracting 1kB/2kB');
});
