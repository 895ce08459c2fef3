import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { applyFsGroup } from './fs-group.js';

const ROOT = process.getuid?.() === 0;

test('fsGroup: files and directories get the group and bits; a symlink gets the group only and is never followed', { skip: ROOT ? false : 'chown to another group needs root' }, async () => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'fsgroup-'));
  try {
    const vol = path.join(base, 'vol');
    const outside = path.join(base, 'outside');
    fs.mkdirSync(path.join(vol, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(vol, 'sub', 'f'), 'x', { mode: 0o600 });
    fs.mkdirSync(outside, { mode: 0o700 });
    fs.writeFileSync(path.join(outside, 'secret'), 's', { mode: 0o600 });
    fs.symlinkSync(outside, path.join(vol, 'link'));
    await applyFsGroup(vol, 4321, false);
    for (const p of [vol, path.join(vol, 'sub')]) {
      const st = fs.statSync(p);
      assert.equal(st.gid, 4321, p);
      assert.equal(st.mode & 0o2770, 0o2770 & (st.mode | 0o2110 | 0o660), p);
      assert.ok(st.mode & 0o2000, `${p} setgid`);
    }
    const f = fs.statSync(path.join(vol, 'sub', 'f'));
    assert.equal(f.gid, 4321);
    assert.equal(f.mode & 0o777, 0o660);
    assert.equal(fs.lstatSync(path.join(vol, 'link')).gid, 4321);
    // The symlink's target, outside the volume, is as it was.
    assert.equal(fs.statSync(outside).gid, 0);
    assert.equal(fs.statSync(outside).mode & 0o7777, 0o700);
    assert.equal(fs.statSync(path.join(outside, 'secret')).gid, 0);
    assert.equal(fs.statSync(path.join(outside, 'secret')).mode & 0o777, 0o600);
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
});
