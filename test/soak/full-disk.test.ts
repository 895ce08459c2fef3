// Full disk (issue 13, item 4): the daemon's data dir on a small ext4 filesystem of its own (an image
// file under /tmp, loop-mounted), filled (a) by a container writing to a disk emptyDir and (b) by image
// imports. While it is full, API writes answer 507 InsufficientStorage with a Status naming the cause,
// the running pod keeps running, and once space is freed everything works again with the same daemon
// process: writes succeed, new pods start, images load. Image uploads stop short of filling the disk:
// each must leave the image GC's low-threshold share free (api/upload-limit.ts), so the one that does
// not fit is refused with 413 naming the free space, and leaves nothing behind. A disk emptyDir with a sizeLimit is enforced as the kubelet's
// eviction manager does (Failed/Evicted, its message, a Warning Evicted event).
// Short form: one round of each; full form: several rounds on a larger filesystem.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestDaemon } from '../support/daemon.js';
import { reportingFailure } from '../support/failure.js';
import { httpsRequest, type HttpsResult } from '../support/api-tls.js';
import { recordFigure, soakSize } from '../support/soak.js';

const CASE = 'full-disk';
const ROOT = process.getuid?.() === 0;
const FS_MB = soakSize(64, 160);
const ROUNDS = soakSize(1, 4);
/** The size of each imported image's one layer: random bytes, so nothing compresses or dedups. */
const IMAGE_MB = 6;

/** A small ext4 filesystem in an image file, loop-mounted; destroy() undoes each step that was done. */
class LoopFs {
  readonly dir: string;
  readonly image: string;
  readonly mnt: string;
  device = '';
  mounted = false;

  constructor(sizeMb: number) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'peapod-full-disk-'));
    this.image = path.join(this.dir, 'fs.img');
    this.mnt = path.join(this.dir, 'mnt');
    fs.mkdirSync(this.mnt);
    execFileSync('truncate', ['-s', `${sizeMb}M`, this.image]);
    // No blocks reserved for root: the daemon and the containers run as root and would use them.
    execFileSync('mkfs.ext4', ['-q', '-F', '-m', '0', this.image], { stdio: 'ignore' });
    this.device = execFileSync('losetup', ['--find', '--show', this.image], { encoding: 'utf8' }).trim();
    execFileSync('mount', [this.device, this.mnt]);
    this.mounted = true;
  }

  /** Bytes any writer can still get (no reserve for root here). */
  freeBytes(): number {
    const s = fs.statfsSync(this.mnt);
    return s.bavail * s.bsize;
  }

  destroy(): void {
    const attempt = (f: () => void) => {
      try {
        f();
      } catch (err) {
        console.log(`full-disk cleanup: ${String(err)}`);
      }
    };
    if (this.mounted) attempt(() => execFileSync('umount', ['-l', this.mnt]));
    if (this.device) attempt(() => execFileSync('losetup', ['-d', this.device]));
    attempt(() => fs.rmSync(this.dir, { recursive: true, force: true }));
  }
}

const MI = 1024 * 1024;

function pod(name: string, script: string, volume?: { sizeLimit?: string }): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: {
      terminationGracePeriodSeconds: 1,
      restartPolicy: 'Never',
      containers: [
        {
          name: 'app',
          image: 'localhost/busybox:latest',
          command: ['sh', '-c', script],
          ...(volume ? { volumeMounts: [{ name: 'cache', mountPath: '/cache' }] } : {}),
        },
      ],
      ...(volume ? { volumes: [{ name: 'cache', emptyDir: volume.sizeLimit ? { sizeLimit: volume.sizeLimit } : {} }] } : {}),
    },
  });
}

describe('a full data disk', { skip: ROOT ? false : 'needs root: run the tests as root' }, () => {
  let loop: LoopFs | undefined;
  let d: TestDaemon;
  let daemonPid: number | undefined;
  let failed = false;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'peapod-full-disk-work-'));

  before(async () => {
    loop = new LoopFs(FS_MB);
    const dataDir = path.join(loop.mnt, 'data');
    fs.mkdirSync(dataDir);
    // The daemon's own log stays off the small filesystem (as /var/log is, next to /var/lib/peapod).
    fs.symlinkSync(path.join(work, 'daemon.log'), path.join(dataDir, 'daemon.log'));
    d = await TestDaemon.start({ name: 'soak-full-disk', podCidr: '10.88.239.0/24', dataDir });
    daemonPid = d.pid;
  });

  after(async () => {
    try {
      await d?.destroy(failed);
    } finally {
      loop?.destroy();
      fs.rmSync(work, { recursive: true, force: true });
    }
  });

  const step = (name: string, fn: () => Promise<void>) => it(name, reportingFailure(fn, () => (failed = true)));

  const api = (method: string, p: string, body?: Buffer | string | fs.ReadStream, contentType = 'application/json'): Promise<HttpsResult> => {
    const c = d.cluster;
    return httpsRequest(c.server, method, p, {
      ca: c.ca?.toString() ?? '',
      client: { certPem: c.cert?.toString() ?? '', keyPem: c.key?.toString() ?? '' },
      headers: body ? { 'content-type': contentType } : {},
      body,
    });
  };

  /** A 512 KiB ConfigMap create: the write that a full disk refuses first. */
  let cmSeq = 0;
  const writeConfigMap = () =>
    api('POST', '/api/v1/namespaces/default/configmaps', JSON.stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `cm-${++cmSeq}` },
      data: { blob: crypto.randomBytes(384 * 1024).toString('base64') },
    }));

  /** Writes until one is refused; every refusal must be the 507 Status naming the full disk. */
  const writeUntilRefused = async (max: number): Promise<HttpsResult> => {
    for (let i = 0; i < max; i++) {
      const r = await writeConfigMap();
      if (r.code === 201) continue;
      return r;
    }
    throw new Error(`${max} writes of 512 KiB succeeded on a full disk (free ${loop!.freeBytes()} bytes)`);
  };

  /** What the data dir's top-level dirs and temp files hold, for a failure message. */
  const usage = () => {
    try {
      return execFileSync('sh', ['-c', 'du -sk * tmp/* images/* 2>/dev/null | sort -n | tail -12 | tr "\\n" " "; ls -la tmp 2>/dev/null | tr "\\n" " "'], { cwd: d.paths.dataDir, encoding: 'utf8' });
    } catch (err) {
      return String(err);
    }
  };

  /** Imports a one-layer image of IMAGE_MB random bytes (work/layer.tar). */
  const importRandomImage = async (name: string): Promise<HttpsResult> => {
    const root = path.join(work, 'rootfs');
    const tar = path.join(work, 'layer.tar');
    fs.rmSync(root, { recursive: true, force: true });
    fs.mkdirSync(root);
    fs.writeFileSync(path.join(root, 'random'), crypto.randomBytes(IMAGE_MB * MI));
    execFileSync('tar', ['-cf', tar, '-C', root, '.']);
    return api('POST', `/peapod/v1/images/import?name=${encodeURIComponent(name)}`, fs.createReadStream(tar), 'application/x-tar');
  };

  const assertInsufficientStorage = (r: HttpsResult, what: string) => {
    assert.equal(r.code, 507, `${what}: ${r.text}`);
    assert.equal(r.json?.kind, 'Status', r.text);
    assert.equal(r.json.reason, 'InsufficientStorage', r.text);
    assert.match(r.json.message, /^insufficient storage: (the node's data disk \(the store\) is full \(database or disk is full|no space left \(ENOSPC: no space left on device.*)\)/, r.text);
  };

  const phase = async (name: string) => (await d.getJson('pod', name)).status?.phase as string | undefined;
  const waitRunning = (name: string, timeoutMs = 30_000) => d.waitFor(`pod ${name} Running`, async () => (await phase(name)) === 'Running', timeoutMs);
  const deleteConfigMaps = async () => {
    const r = await d.kubectl(['delete', 'configmaps', '--field-selector', 'metadata.name!=kube-root-ca.crt', '--wait=false']);
    assert.equal(r.code, 0, r.stderr);
  };

  step('evicts a pod whose disk emptyDir outgrows its sizeLimit, as the kubelet does', async () => {
    await d.kubectl(['apply', '-f', '-'], { input: pod('steady', 'while true; do sleep 1; done') });
    const r = await d.kubectl(['apply', '-f', '-'], { input: pod('hog', 'dd if=/dev/zero of=/cache/f bs=1M count=6 && touch /cache/done; sleep 3600', { sizeLimit: '4Mi' }) });
    assert.equal(r.code, 0, r.stderr);
    await waitRunning('hog');
    const running = Date.now();
    const evicted = await d.waitFor('hog evicted', async () => {
      const p = await d.getJson('pod', 'hog');
      return p.status?.reason === 'Evicted' ? p : undefined;
    }, 45_000);
    recordFigure(CASE, 'emptyDir sizeLimit: Running to Evicted', (Date.now() - running) / 1000, 's');
    assert.equal(evicted.status.phase, 'Failed');
    assert.equal(evicted.status.message, 'Usage of EmptyDir volume "cache" exceeds the limit "4Mi". ');
    const events = await d.getJson('events', '--field-selector', 'involvedObject.name=hog');
    const ev = (events.items as { type: string; reason: string; message: string }[]).find((e) => e.reason === 'Evicted');
    assert.ok(ev, JSON.stringify(events.items.map((e: { reason: string }) => e.reason)));
    assert.equal(ev.type, 'Warning');
    assert.equal(ev.message, evicted.status.message);
    await waitRunning('steady');
  });

  for (let round = 1; round <= ROUNDS; round++) {
    step(`round ${round}: a container fills the disk; writes get 507, the running pod keeps running, all works again once space is freed`, async () => {
      const before = loop!.freeBytes();
      const t0 = Date.now();
      const r = await d.kubectl(['apply', '-f', '-'], { input: pod(`filler-${round}`, 'dd if=/dev/zero of=/cache/fill bs=1M; sync; touch /cache/full; sleep 3600', {}) });
      assert.equal(r.code, 0, r.stderr);
      await d.waitFor('the disk full', async () => loop!.freeBytes() < MI, 60_000);
      recordFigure(CASE, `round ${round}: disk filled by a container`, (Date.now() - t0) / 1000, 's');

      const refused = await writeUntilRefused(40);
      assertInsufficientStorage(refused, 'a ConfigMap create on a full disk');
      const img = await importRandomImage(`localhost/on-full-${round}:1`);
      assert.equal(img.code, 413, img.text);
      assert.match(img.json?.message ?? '', /^image upload does not fit: .* is free on the filesystem .* leaving room for 0 B/, img.text);
      const big = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `kubectl-${round}` }, data: { blob: crypto.randomBytes(512 * 1024).toString('base64') } };
      const kc = await d.kubectl(['create', '-f', '-'], { input: JSON.stringify(big) });
      assert.notEqual(kc.code, 0, 'kubectl create on a full disk');
      assert.match(kc.stderr, /InsufficientStorage/, kc.stderr);

      // The running pod keeps running: same container, no restart, and it still answers exec.
      const steady = await d.getJson('pod', 'steady');
      assert.equal(steady.status.phase, 'Running');
      assert.equal(steady.status.containerStatuses[0].restartCount, 0);
      const ex = await d.kubectl(['exec', 'steady', '--', 'echo', 'alive']);
      assert.equal(ex.stdout.trim(), 'alive', ex.stderr);
      assert.equal(d.pid, daemonPid, 'the daemon was not restarted');

      // Space returns: the filler removes its file (from inside, through exec).
      const t1 = Date.now();
      const rm = await d.kubectl(['exec', `filler-${round}`, '--', 'rm', '-f', '/cache/fill']);
      assert.equal(rm.code, 0, rm.stderr);
      await d.waitFor('space back', async () => loop!.freeBytes() > before / 2);
      const ok = await d.waitFor('a write to succeed again', async () => (await writeConfigMap()).code === 201, 30_000);
      assert.ok(ok);
      recordFigure(CASE, `round ${round}: space freed to first successful write`, (Date.now() - t1) / 1000, 's');
      const del = await d.kubectl(['delete', 'pod', `filler-${round}`, '--grace-period=1', '--wait=true', '--timeout=60s']);
      assert.equal(del.code, 0, del.stderr);
      await deleteConfigMaps();
      const fresh = await d.kubectl(['apply', '-f', '-'], { input: pod(`after-${round}`, 'sleep 3600') });
      assert.equal(fresh.code, 0, fresh.stderr);
      await waitRunning(`after-${round}`);
      await d.k('delete', 'pod', `after-${round}`, '--grace-period=1', '--wait=false');
      assert.equal(d.pid, daemonPid, 'the daemon was not restarted');
    });

    step(`round ${round}: image imports up to the disk's reserve; the one that does not fit gets 413 and leaves nothing; the store still writes; removing images frees the space`, async () => {
      const before = loop!.freeBytes();
      const names: string[] = [];
      let refused: HttpsResult | undefined;
      let freeBeforeRefused = 0;
      for (let i = 0; i < 2 * Math.ceil(FS_MB / IMAGE_MB); i++) {
        const name = `localhost/filler-${round}-${i}:1`;
        freeBeforeRefused = loop!.freeBytes();
        const r = await importRandomImage(name);
        if (r.code === 201) {
          names.push(name);
          continue;
        }
        refused = r;
        break;
      }
      assert.ok(refused, `every import fit (free ${loop!.freeBytes()} of ${before} bytes)`);
      assert.equal(refused.code, 413, refused.text);
      assert.equal(refused.json?.reason, 'RequestEntityTooLarge', refused.text);
      assert.match(refused.json.message, /^image upload does not fit: .* is free on the filesystem/, refused.text);
      assert.ok(names.length > 0, 'some imports fit');
      recordFigure(CASE, `round ${round}: images imported before the reserve stopped them`, names.length);
      // The refused import left nothing behind, and the reserve it kept lets the store write.
      const left = loop!.freeBytes();
      assert.ok(left >= freeBeforeRefused - MI, `the refused import kept ${freeBeforeRefused - left} bytes`);
      assert.equal((await writeConfigMap()).code, 201, 'a write with the image reserve left free');
      const cli = await d.peapod(['image', 'import', path.join(work, 'layer.tar'), 'localhost/one-too-many:1']);
      assert.notEqual(cli.code, 0, 'peapod image import past the reserve');
      assert.match(cli.stderr, /does not fit/, cli.stderr);

      for (const n of names) {
        const rm = await api('DELETE', `/peapod/v1/images/${encodeURIComponent(n)}`);
        assert.equal(rm.code, 200, rm.text);
      }
      await d.waitFor('space back after removing images', async () => loop!.freeBytes() > before - 4 * MI).catch((err: Error) => {
        throw new Error(`${err.message.split('\n')[0]}: ${loop!.freeBytes()} bytes free, ${before} before; ${usage()}`);
      });
      assert.equal((await writeConfigMap()).code, 201);
      const fresh = await d.kubectl(['apply', '-f', '-'], { input: pod(`after-images-${round}`, 'sleep 3600') });
      assert.equal(fresh.code, 0, fresh.stderr);
      await waitRunning(`after-images-${round}`);
      await d.k('delete', 'pod', `after-images-${round}`, '--grace-period=1', '--wait=false');
      await deleteConfigMaps();
      assert.equal((await d.getJson('pod', 'steady')).status.containerStatuses[0].restartCount, 0);
      assert.equal(d.pid, daemonPid, 'the daemon was not restarted');
    });
  }
});

