// The check and repair against a real temp dir, as the user running the tests (root or not): the
// expected owner is that user (another uid stands for "someone else's"); the root integration test
// has real other users, the daemon's refusal and the swap race.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { capturingLogger, type Logger } from '../system/logger.js';
import { nodePaths } from './paths.js';
import { prepareDataDir, type RepairReport } from './private-dir.js';

const ME = { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
const ID = 'c'.repeat(64);

function withTemp(fn: (tmp: string) => void): void {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'peapod-private-'));
  try {
    fn(tmp);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function capture(): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const out: string[] = [];
  const logger: Logger = capturingLogger(out, 'info');
  return { logger, lines: () => out.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

const modeOf = (p: string) => fs.lstatSync(p).mode & 0o7777;

function mk(p: string, mode: number, content?: string): void {
  if (content === undefined) fs.mkdirSync(p, { recursive: true });
  else {
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, content);
  }
  fs.chmodSync(p, mode);
}

test('a missing data dir is made 0700 and its missing parents 0755, with nothing to repair', () =>
  withTemp((tmp) => {
    const dataDir = path.join(tmp, 'a', 'b', 'data');
    const old = process.umask(0); // the worst umask: modes must come from the code, not from it
    let report: RepairReport;
    try {
      report = prepareDataDir(nodePaths(dataDir), capture().logger, { owner: ME });
    } finally {
      process.umask(old);
    }
    assert.equal(modeOf(dataDir), 0o700);
    assert.equal(modeOf(path.join(tmp, 'a')), 0o755);
    assert.equal(modeOf(path.join(tmp, 'a', 'b')), 0o755);
    assert.deepEqual(report.repaired, []);
    assert.equal(report.dataDir, dataDir);
  }));

test('an open data dir is repaired path by path, each logged once with its old and new mode', () =>
  withTemp((tmp) => {
    const d = path.join(tmp, 'data');
    const paths = nodePaths(d);
    mk(d, 0o755);
    mk(path.join(d, 'peapod.db'), 0o644, 'db');
    mk(path.join(d, 'peapod.db-wal'), 0o644, 'wal');
    mk(path.join(d, 'kubeconfig'), 0o644, 'kc');
    mk(path.join(d, 'pki'), 0o755);
    mk(path.join(d, 'pki', 'server.key'), 0o644, 'k');
    mk(path.join(d, 'pki', 'ca.crt'), 0o644, 'c');
    mk(path.join(d, 'pki', 'etcd'), 0o755);
    mk(path.join(d, 'pki', 'etcd', 'peer.key'), 0o640, 'k');
    mk(path.join(d, 'containers', ID), 0o755);
    fs.chmodSync(path.join(d, 'containers'), 0o711);
    mk(path.join(d, 'containers', ID, 'config.json'), 0o644, '{}');
    mk(path.join(d, 'containers', ID, 'record.json'), 0o600, '{}');
    mk(path.join(d, 'containers', ID, 'termination-log'), 0o666, '');
    mk(path.join(d, 'images', 'layers', 'x', 'diff'), 0o755);
    fs.chmodSync(path.join(d, 'images'), 0o755);
    mk(path.join(d, 'pods', 'uid-1', 'volumes', 'kubernetes.io~empty-dir', 'e'), 0o777);
    fs.chmodSync(path.join(d, 'pods'), 0o755);
    mk(path.join(d, 'logs', 'pods', 'default_p_uid', 'c', '0.log'), 0o640, 'x');
    fs.chmodSync(path.join(d, 'logs', 'pods', 'default_p_uid', 'c'), 0o755);

    const log = capture();
    const report = prepareDataDir(paths, log.logger, { owner: ME });

    const want: [string, number][] = [
      ['', 0o700],
      ['peapod.db', 0o600],
      ['peapod.db-wal', 0o600],
      ['kubeconfig', 0o600],
      ['pki', 0o700],
      ['pki/server.key', 0o600],
      ['pki/ca.crt', 0o644],
      ['pki/etcd', 0o700],
      ['pki/etcd/peer.key', 0o600],
      ['containers', 0o700],
      [`containers/${ID}`, 0o700],
      [`containers/${ID}/config.json`, 0o600],
      [`containers/${ID}/record.json`, 0o600],
      [`containers/${ID}/termination-log`, 0o666],
      ['images', 0o700],
      ['images/layers/x/diff', 0o755],
      ['pods', 0o750],
      ['pods/uid-1/volumes/kubernetes.io~empty-dir/e', 0o777],
      ['logs/pods/default_p_uid/c', 0o700],
      ['logs/pods/default_p_uid/c/0.log', 0o600],
    ];
    for (const [rel, mode] of want) assert.equal(modeOf(path.join(d, rel)).toString(8), mode.toString(8), rel || '<data-dir>');

    const repaired = report.repaired.map((r) => `${path.relative(d, r.path) || '.'} ${r.oldMode}->${r.newMode}`).sort();
    assert.deepEqual(repaired, [
      '. 0755->0700',
      'containers 0711->0700',
      `containers/${ID} 0755->0700`,
      `containers/${ID}/config.json 0644->0600`,
      'kubeconfig 0644->0600',
      'logs/pods/default_p_uid/c 0755->0700',
      'logs/pods/default_p_uid/c/0.log 0640->0600',
      'peapod.db 0644->0600',
      'peapod.db-wal 0644->0600',
      'pki 0755->0700',
      'pki/server.key 0644->0600',
      'pki/etcd 0755->0700',
      'pki/etcd/peer.key 0640->0600',
      'images 0755->0700',
      'images/layers 0755->0700',
      'logs 0755->0700',
      'logs/pods 0755->0700',
      'logs/pods/default_p_uid 0755->0700',
      'pods 0755->0750',
    ].sort());
    const warned = log.lines().filter((l) => l.msg === 'repaired daemon-private state that was more open than it should be');
    assert.deepEqual(warned.map((l) => l.path).sort(), report.repaired.map((r) => r.path).sort(), 'one warning per path');
    assert.ok(warned.every((l) => l.level === 40 && typeof l.oldMode === 'string' && typeof l.newMode === 'string'));

    const again = prepareDataDir(paths, capture().logger, { owner: ME });
    assert.deepEqual(again.repaired, [], 'a second start has nothing to repair');
  }));

/** Every file and dir under `dir` with its mode, type and owner, to show that nothing changed. */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    const st = fs.lstatSync(p);
    out.push(`${path.relative(dir, p) || '.'} ${(st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid} ${st.isSymbolicLink() ? 'l' : st.isDirectory() ? 'd' : 'f'}`);
    if (st.isDirectory()) for (const n of fs.readdirSync(p).sort()) walk(path.join(p, n));
  };
  walk(dir);
  return out;
}

// Issue 6 security review: symlinks were skipped with a warning, and the daemon then wrote and read
// through them as root. A symlink at a private name now refuses the start.
test('symlinks at private names refuse the start, naming each; nothing is changed nor followed', () =>
  withTemp((tmp) => {
    const d = path.join(tmp, 'data');
    const outside = path.join(tmp, 'outside');
    mk(outside, 0o755);
    mk(path.join(outside, 'secret.json'), 0o644, '{}');
    mk(path.join(d, 'sandboxes', ID), 0o755);
    fs.chmodSync(d, 0o755);
    mk(path.join(d, 'peapod.db'), 0o644, 'db');
    fs.symlinkSync(outside, path.join(d, 'containers'));
    fs.symlinkSync(path.join(outside, 'secret.json'), path.join(d, 'sandboxes', ID, 'record.json'));
    fs.symlinkSync(path.join(outside, 'secret.json'), path.join(d, 'kubeconfig'));
    const before = [...snapshot(d), ...snapshot(outside)];

    assert.throws(
      () => prepareDataDir(nodePaths(d), capture().logger, { owner: ME }),
      (err: Error) => {
        const lines = err.message.split('\n');
        assert.equal(lines[0], `refusing to use data dir ${d}: another user could have written to the daemon's private state, so what it holds cannot be trusted`);
        assert.deepEqual(lines.slice(1, 4).sort(), [
          `  ${d}/containers: is a symlink (remove it)`,
          `  ${d}/kubeconfig: is a symlink (remove it)`,
          `  ${d}/sandboxes/${ID}/record.json: is a symlink (remove it)`,
        ]);
        assert.match(lines[4]!, /^inspect each path .*; remove it, or if you trust it fix it as shown .*, then start again$/);
        assert.equal(lines[5], '(nothing was changed)');
        return true;
      },
    );
    assert.deepEqual([...snapshot(d), ...snapshot(outside)], before, 'not even the 0755 data dir and 0644 store were repaired');
  }));

test('a data dir, or a private path, that another user owns or could write refuses the start', () =>
  withTemp((tmp) => {
    const d = path.join(tmp, 'data');
    mk(d, 0o700);
    const someoneElse = { uid: ME.uid + 1, gid: ME.gid };
    assert.throws(() => prepareDataDir(nodePaths(d), capture().logger, { owner: someoneElse }), new RegExp(`\n  ${d}: owned by uid ${ME.uid} \\(chown ${ME.uid + 1}:${ME.gid}\\)\n`));

    mk(path.join(d, 'logs', 'pods', 'default_p_uid', 'c'), 0o777);
    mk(path.join(d, 'pki'), 0o700);
    mk(path.join(d, 'pki', 'ca.key'), 0o620, 'theirs');
    mk(path.join(d, 'peapod.db'), 0o644, 'db');
    const before = snapshot(d);
    assert.throws(() => prepareDataDir(nodePaths(d), capture().logger, { owner: ME }), (err: Error) => {
      const listed = err.message.split('\n').filter((l) => l.startsWith('  ')).sort();
      assert.deepEqual(listed, [
        `  ${d}/logs/pods/default_p_uid/c: writable by every user (mode 0777) (chmod go-w)`,
        `  ${d}/pki/ca.key: writable by group ${ME.gid} (mode 0620) (chmod go-w)`,
      ]);
      return true;
    });
    assert.deepEqual(snapshot(d), before);

    fs.chmodSync(path.join(d, 'logs', 'pods', 'default_p_uid', 'c'), 0o755);
    fs.chmodSync(path.join(d, 'pki', 'ca.key'), 0o644);
    const report = prepareDataDir(nodePaths(d), capture().logger, { owner: ME });
    assert.deepEqual(report.repaired.map((r) => `${path.relative(d, r.path)} ${r.newMode}`).sort(), [
      'logs 0700',
      'logs/pods 0700',
      'logs/pods/default_p_uid 0700',
      'logs/pods/default_p_uid/c 0700',
      'peapod.db 0600',
      'pki/ca.key 0600',
    ], 'once fixed as the message says, the rest is repaired');
  }));

test('a FIFO at a private name refuses the start without being opened', () =>
  withTemp((tmp) => {
    const d = path.join(tmp, 'data');
    mk(d, 0o700);
    const made = spawnSync('mkfifo', ['-m', '600', path.join(d, 'kubeconfig')]);
    assert.equal(made.status, 0, 'mkfifo');
    // Opening a FIFO for reading would block this test forever: the refusal is the proof it was not.
    assert.throws(() => prepareDataDir(nodePaths(d), capture().logger, { owner: ME }), /kubeconfig: is a special file, expected a file \(remove it\)/);
  }));

test('a private file with other hard links is left as it is, with a warning; its other name keeps its mode', () =>
  withTemp((tmp) => {
    const d = path.join(tmp, 'data');
    mk(path.join(d, 'containers', ID), 0o700);
    fs.chmodSync(d, 0o700);
    fs.chmodSync(path.join(d, 'containers'), 0o700);
    const elsewhere = path.join(tmp, 'elsewhere.json');
    mk(elsewhere, 0o644, '{}');
    fs.linkSync(elsewhere, path.join(d, 'containers', ID, 'config.json'));
    const log = capture();
    const report = prepareDataDir(nodePaths(d), log.logger, { owner: ME });
    assert.equal(modeOf(elsewhere), 0o644);
    assert.deepEqual(report.skipped, [{ path: path.join(d, 'containers', ID, 'config.json'), reason: 'has 2 hard links (a change would reach its other names)' }]);
    assert.ok(log.lines().some((l) => l.msg === 'left daemon-private path unrepaired' && l.level === 40));
  }));

test('a data dir that is a symlink keeps its target private', () =>
  withTemp((tmp) => {
    const target = path.join(tmp, 'real');
    mk(target, 0o755);
    mk(path.join(target, 'peapod.db'), 0o644, 'db');
    const link = path.join(tmp, 'link');
    fs.symlinkSync(target, link);
    const report = prepareDataDir(nodePaths(link), capture().logger, { owner: ME });
    assert.equal(report.dataDir, target);
    assert.equal(modeOf(target), 0o700);
    assert.equal(modeOf(path.join(target, 'peapod.db')), 0o600);
    assert.equal(fs.lstatSync(link).isSymbolicLink(), true);
  }));

test('a data dir that is a file is refused', () =>
  withTemp((tmp) => {
    const f = path.join(tmp, 'file');
    fs.writeFileSync(f, '');
    assert.throws(() => prepareDataDir(nodePaths(f), capture().logger, { owner: ME }), /exists and is not a directory/);
  }));

test('a parent dir another user could write to is reported, never changed', () =>
  withTemp((tmp) => {
    const open = path.join(tmp, 'open');
    mk(open, 0o777);
    const d = path.join(open, 'data');
    const log = capture();
    const report = prepareDataDir(nodePaths(d), log.logger, { owner: ME });
    assert.equal(modeOf(open), 0o777);
    const mine = report.unsafeAncestors.find((a) => a.path === open);
    assert.ok(mine, JSON.stringify(report.unsafeAncestors));
    assert.match(mine.reason, ME.uid === 0 ? /writable by every user/ : /owned by uid/);
  }));

test('a data dir with hundreds of containers is checked whole: the one readable file among them is made private', () =>
  withTemp((tmp) => {
    const d = path.join(tmp, 'data');
    fs.mkdirSync(d, { mode: 0o700 });
    for (const sub of ['containers', 'sandboxes']) fs.mkdirSync(path.join(d, sub), { mode: 0o700 });
    for (let i = 0; i < 200; i++) {
      const id = i.toString(16).padStart(64, '0');
      const bundle = path.join(d, 'containers', id);
      fs.mkdirSync(bundle, { mode: 0o700 });
      for (const f of ['config.json', 'record.json']) fs.writeFileSync(path.join(bundle, f), '{}', { mode: 0o600 });
      if (i % 4 === 0) {
        const sb = path.join(d, 'sandboxes', id);
        fs.mkdirSync(path.join(sb, 'infra'), { recursive: true, mode: 0o700 });
        fs.writeFileSync(path.join(sb, 'record.json'), '{}', { mode: 0o600 });
      }
    }
    fs.chmodSync(path.join(d, 'containers', (7).toString(16).padStart(64, '0'), 'config.json'), 0o644);
    const report = prepareDataDir(nodePaths(d), capture().logger, { owner: ME });
    // The whole tree is walked: the one readable file deep among 200 bundles is found and made private.
    const wrong = path.join(d, 'containers', (7).toString(16).padStart(64, '0'), 'config.json');
    assert.deepEqual(report.repaired.map((r) => r.path), [wrong]);
    assert.equal(modeOf(wrong), 0o600);
  }));
