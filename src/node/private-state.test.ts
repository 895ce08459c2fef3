import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nodePaths } from './paths.js';
import {
  ancestorRisk,
  ancestorsOf,
  classify,
  DATA_DIR_RULE,
  decide,
  formatMode,
  POD_LOGS_RULE,
  privateRoots,
  RUN_DIR_RULE,
  type ModeRule,
  type Observed,
} from './private-state.js';

const ID = 'a'.repeat(64);
const ROOT = { uid: 0, gid: 0 };

function ruleOf(rel: string): string {
  const r = classify(DATA_DIR_RULE, rel);
  return r ? `${r.type} ${formatMode(r.maxMode)}` : 'not judged';
}

test('the inventory makes the daemon\'s own state under the data dir private', () => {
  const cases: [string, string][] = [
    ['', 'dir 0700'],
    ['peapod.db', 'file 0600'],
    ['peapod.db-wal', 'file 0600'],
    ['peapod.db-shm', 'file 0600'],
    ['peapod.db-journal', 'file 0600'],
    ['peapod.pid', 'file 0600'],
    ['peapod.lock', 'file 0600'],
    ['kubeconfig', 'file 0600'],
    ['pki', 'dir 0700'],
    ['pki/apiserver.key', 'file 0600'],
    ['pki/token', 'file 0600'],
    ['pki/ca.crt', 'file 0644'],
    ['pki/etcd/peer.key', 'file 0600'],
    ['containers', 'dir 0700'],
    [`containers/${ID}`, 'dir 0700'],
    [`containers/${ID}/config.json`, 'file 0600'],
    [`containers/${ID}/record.json`, 'file 0600'],
    [`containers/${ID}/.record.json.0a1b2c.tmp`, 'file 0600'],
    [`containers/${ID}/exec-1f2e.json`, 'file 0600'],
    [`containers/${ID}/conmon.log`, 'file 0600'],
    ['sandboxes', 'dir 0700'],
    [`sandboxes/${ID}`, 'dir 0700'],
    [`sandboxes/${ID}/record.json`, 'file 0600'],
    [`sandboxes/${ID}/infra`, 'dir 0700'],
    [`sandboxes/${ID}/infra/config.json`, 'file 0600'],
    [`sandboxes/${ID}/infra/infra.log`, 'file 0600'],
    ['images', 'dir 0700'],
    ['images/blobs/sha256', 'dir 0700'],
    ['images/overlay', 'dir 0700'],
    ['pods', 'dir 0750'],
    ['cni', 'dir 0700'],
    ['cni/net.d/10-peapod.conflist', 'file 0600'],
    ['cni/cache/results/peapod-x-eth0', 'file 0600'],
    ['cni/ipam', 'dir 0700'],
    ['logs/pods', 'dir 0700'],
    ['logs/pods/default_web_uid-1/nginx/0.log', 'file 0600'],
    ['tmp/upload-0011.tar', 'file 0600'],
  ];
  for (const [rel, want] of cases) assert.equal(ruleOf(rel), want, rel || '<data-dir>');
});

test('an entry rule can ask for a kind: a dir in pki/ is ruled like pki/, a file there is a key', () => {
  assert.equal(classify(DATA_DIR_RULE, 'pki/etcd', 'dir')?.type, 'dir');
  assert.equal(classify(DATA_DIR_RULE, 'pki/etcd', 'file')?.maxMode, 0o600);
  assert.equal(classify(DATA_DIR_RULE, 'pki/etcd/ca.crt', 'file')?.maxMode, 0o644);
});

test('container-facing state and what runc and conmon own are not judged', () => {
  for (const rel of [
    `containers/${ID}/termination-log`,
    `containers/${ID}/pidfile`,
    `containers/${ID}/ctl`,
    `containers/${ID}/persist`,
    `sandboxes/${ID}/hosts`,
    `sandboxes/${ID}/resolv.conf`,
    `sandboxes/${ID}/shm`,
    `sandboxes/${ID}/infra/rootfs`,
    'images/layers/0123/diff',
    'images/blobs/sha256/0123',
    'images/images/0123.json',
    'images/overlay/abc/merged',
    'pods/uid-1/volumes',
    'pods/uid-1/volumes/kubernetes.io~secret/token',
    'cni/ipam/peapod/10.88.0.2',
    'unknown-file',
    '.hidden',
  ]) {
    assert.equal(ruleOf(rel), 'not judged', rel);
  }
});

test('the pod logs dir is its own root only when it lies outside the data dir', () => {
  const def = privateRoots(nodePaths('/var/lib/peapod'));
  assert.deepEqual(def.map((r) => r.path), ['/var/lib/peapod', '/var/log/pods', '/run/peapod']);
  assert.equal(def[1]!.rule, POD_LOGS_RULE);
  const other = privateRoots(nodePaths('/srv/pp'), '/data/pp');
  assert.equal(other.length, 2);
  assert.equal(other[0]!.path, '/data/pp', 'the canonical data dir is walked');
  assert.equal(other[1]!.rule, RUN_DIR_RULE);
  assert.match(other[1]!.path, /^\/run\/peapod-[0-9a-f]{8}$/);
  for (const name of ['runc', 'exits', 'attach', 'netns']) assert.equal(classify(RUN_DIR_RULE, name)?.maxMode, 0o700, name);
  assert.equal(classify(RUN_DIR_RULE, 'runc/abc'), undefined, 'runc\'s own dirs are not descended');
});

const seen = (over: Partial<Observed>): Observed => ({ kind: 'file', mode: 0o600, uid: 0, gid: 0, ...over });
const FILE: ModeRule = { type: 'file', maxMode: 0o600 };
const DIR: ModeRule = { type: 'dir', maxMode: 0o700 };

test('decide removes the bits a private path must not have, and nothing else', () => {
  assert.deepEqual(decide(FILE, seen({}), ROOT), { action: 'none' });
  assert.deepEqual(decide(FILE, seen({ mode: 0o400 }), ROOT), { action: 'none' }, 'a tighter mode is never opened up');
  assert.deepEqual(decide(FILE, seen({ mode: 0o644 }), ROOT), { action: 'fix', mode: 0o600, chgrp: false });
  assert.deepEqual(decide(FILE, seen({ mode: 0o4755 }), ROOT), { action: 'fix', mode: 0o600, chgrp: false }, 'setuid goes too');
  assert.deepEqual(decide(DIR, seen({ kind: 'dir', mode: 0o711 }), ROOT), { action: 'fix', mode: 0o700, chgrp: false });
  assert.deepEqual(decide(DIR, seen({ kind: 'dir', mode: 0o2755 }), ROOT), { action: 'fix', mode: 0o700, chgrp: false });
  assert.deepEqual(decide({ type: 'dir', maxMode: 0o750 }, seen({ kind: 'dir', mode: 0o750 }), ROOT), { action: 'none' });
});

// Issue 6 security review: a data dir others could write was "repaired" and its content then trusted
// (a kubeconfig symlinked to a user's file, a CA key of theirs). Only what lets others read is repaired.
test('decide repairs what only let others read, and refuses what shows another user could have written', () => {
  const cases: [string, ModeRule, Partial<Observed>, string][] = [
    ['repairs a store readable by everyone', FILE, { mode: 0o644 }, 'fix 0600'],
    ['repairs a dir others could list and enter', DIR, { kind: 'dir', mode: 0o755 }, 'fix 0700'],
    ['gives a readable file of another group back to root\'s group', FILE, { mode: 0o640, gid: 100 }, 'fix 0600 chgrp'],
    ['gives a private file of another group back to root\'s group', FILE, { gid: 100 }, 'fix 0600 chgrp'],
    ['refuses a data dir owned by another user, even 0700', DIR, { kind: 'dir', mode: 0o700, uid: 1000, gid: 1000 }, 'refuse: owned by uid 1000 / chown 0:0'],
    ['refuses a file owned by another user', FILE, { uid: 1000 }, 'refuse: owned by uid 1000 / chown 0:0'],
    ['refuses a world-writable dir', DIR, { kind: 'dir', mode: 0o777 }, 'refuse: writable by every user (mode 0777) / chmod go-w'],
    ['refuses a sticky world-writable dir: no private dir is sticky', DIR, { kind: 'dir', mode: 0o1777 }, 'refuse: writable by every user (mode 01777) / chmod go-w'],
    ['refuses a group-writable dir, root\'s group too', DIR, { kind: 'dir', mode: 0o770 }, 'refuse: writable by group 0 (mode 0770) / chmod go-w'],
    ['refuses a group-writable file', FILE, { mode: 0o660, gid: 50 }, 'refuse: writable by group 50 (mode 0660) / chmod go-w'],
    ['names both when a writable file is another user\'s', FILE, { mode: 0o666, uid: 1000 }, 'refuse: owned by uid 1000, writable by every user (mode 0666) / chown 0:0 and chmod go-w'],
    ['refuses a symlink at a private name, never following it', FILE, { kind: 'symlink', mode: 0o777 }, 'refuse: is a symlink / remove it'],
    ['refuses a symlink even when it is root\'s', DIR, { kind: 'symlink', mode: 0o777 }, 'refuse: is a symlink / remove it'],
    ['refuses a file where a dir belongs', DIR, { kind: 'file' }, 'refuse: is a file, expected a dir / remove it'],
    ['refuses a dir where a file belongs', FILE, { kind: 'dir', mode: 0o700 }, 'refuse: is a dir, expected a file / remove it'],
    ['refuses a device or FIFO where a file belongs', FILE, { kind: 'other' }, 'refuse: is a special file, expected a file / remove it'],
    ['leaves a file with other hard links, which a chmod would change too', FILE, { mode: 0o644, nlink: 2 }, 'skip: has 2 hard links (a change would reach its other names)'],
    ['refuses a hard-linked file of another user rather than leaving it', FILE, { uid: 1000, nlink: 2 }, 'refuse: owned by uid 1000 / chown 0:0'],
    ['judges a dir\'s link count as normal', DIR, { kind: 'dir', mode: 0o755, nlink: 5 }, 'fix 0700'],
  ];
  for (const [name, rule, over, want] of cases) {
    const d = decide(rule, seen(over), ROOT);
    const got =
      d.action === 'fix' ? `fix ${formatMode(d.mode)}${d.chgrp ? ' chgrp' : ''}`
      : d.action === 'refuse' ? `refuse: ${d.reason} / ${d.remedy}`
      : d.action === 'skip' ? `skip: ${d.reason}`
      : 'none';
    assert.equal(got, want, name);
  }
});

test('decide names the expected owner in its remedy', () => {
  assert.deepEqual(decide(FILE, seen({ uid: 0 }), { uid: 1000, gid: 1000 }), { action: 'refuse', reason: 'owned by uid 0', remedy: 'chown 1000:1000' });
});

test('ancestorRisk reports a parent another user could use to swap the data dir', () => {
  const d = (mode: number, uid = 0, gid = 0): Observed => ({ kind: 'dir', mode, uid, gid });
  assert.equal(ancestorRisk(d(0o755)), undefined);
  assert.equal(ancestorRisk(d(0o1777)), undefined, 'sticky /tmp');
  assert.equal(ancestorRisk(d(0o775)), undefined, 'group root');
  assert.equal(ancestorRisk(d(0o755, 1000, 1000)), 'owned by uid 1000');
  assert.equal(ancestorRisk(d(0o777)), 'writable by every user (mode 0777)');
  assert.equal(ancestorRisk(d(0o775, 0, 50)), 'writable by group 50 (mode 0775)');
  assert.equal(ancestorRisk({ kind: 'symlink', mode: 0o777, uid: 1000, gid: 1000 }), undefined, 'a symlink is judged by its dir');
});

test('ancestorsOf lists the dirs above a path, root first', () => {
  assert.deepEqual(ancestorsOf('/var/lib/peapod'), ['/', '/var', '/var/lib']);
  assert.deepEqual(ancestorsOf('/x'), ['/']);
});

test('formatMode prints octal with a leading zero', () => {
  assert.equal(formatMode(0o644), '0644');
  assert.equal(formatMode(0o1777), '01777');
  assert.equal(formatMode(0), '0000');
});
