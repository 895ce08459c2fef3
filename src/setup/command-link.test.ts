import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readlinkSync, rmSync, symlinkSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkoutEntry, describeCommand, installCommand, uninstallCommand } from './command-link.js';

/** A bin dir and two peapod checkouts (bin/peapod.js beside a package.json named peapod). */
function scene(t: { after: (fn: () => void) => void }) {
  const root = mkdtempSync(path.join(os.tmpdir(), 'peapod-link-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const checkout = (name: string) => {
    mkdirSync(path.join(root, name, 'bin'), { recursive: true });
    writeFileSync(path.join(root, name, 'package.json'), JSON.stringify({ name: 'peapod' }));
    writeFileSync(path.join(root, name, 'bin', 'peapod.js'), '');
    return path.join(root, name, 'bin', 'peapod.js');
  };
  const dir = path.join(root, 'usr-local-bin');
  return { root, dir, link: path.join(dir, 'peapod'), mine: checkout('mine'), other: checkout('other') };
}

test("this checkout's entry is bin/peapod.js at the repository's root", () => {
  assert.ok(existsSync(checkoutEntry()), checkoutEntry());
  assert.match(readFileSync(checkoutEntry(), 'utf8'), /^#!\/bin\/sh\n/);
});

test('setup links the command, says so again without changing it, and warns when the dir is not on PATH', async (t) => {
  const s = scene(t);
  assert.equal(await installCommand({ dir: s.dir, entry: s.mine, pathEnv: `/usr/bin:${s.dir}` }), `command: installed ${s.link} → ${s.mine}`);
  assert.equal(readlinkSync(s.link), s.mine);
  assert.equal(await installCommand({ dir: s.dir, entry: s.mine, pathEnv: `/usr/bin:${s.dir}` }), `command: ${s.link} → ${s.mine}`);
  assert.match(await installCommand({ dir: s.dir, entry: s.mine, pathEnv: '/usr/bin' }), /is not on this shell's PATH: add it, or run /);
  assert.equal(await describeCommand({ dir: s.dir, entry: s.mine }), `command: ${s.link} → ${s.mine}`);
});

test("another checkout's link is moved to this one; a program of the user's own, or a link elsewhere, is left alone", async (t) => {
  const s = scene(t);
  mkdirSync(s.dir);
  symlinkSync(s.other, s.link);
  assert.match(await installCommand({ dir: s.dir, entry: s.mine, pathEnv: s.dir }), new RegExp(`installed .* \\(it linked to ${s.other}\\)$`));
  assert.equal(readlinkSync(s.link), s.mine);
  rmSync(s.link);
  symlinkSync('/usr/bin/true', s.link);
  assert.match(await installCommand({ dir: s.dir, entry: s.mine, pathEnv: s.dir }), /links to \/usr\/bin\/true, left as it is/);
  assert.equal(readlinkSync(s.link), '/usr/bin/true');
  assert.match(await uninstallCommand({ dir: s.dir, entry: s.mine }), /not to this checkout: left as it is/);
  rmSync(s.link);
  writeFileSync(s.link, '#!/bin/sh\n');
  assert.match(await installCommand({ dir: s.dir, entry: s.mine, pathEnv: s.dir }), /is a program of its own, left as it is/);
  assert.match(await uninstallCommand({ dir: s.dir, entry: s.mine }), /is a program of its own, left as it is/);
  assert.equal(readFileSync(s.link, 'utf8'), '#!/bin/sh\n');
});

test("uninstall removes this checkout's link, or one to a checkout that is gone, and nothing else", async (t) => {
  const s = scene(t);
  assert.equal(await uninstallCommand({ dir: s.dir, entry: s.mine }), `command: no ${s.link}`);
  await installCommand({ dir: s.dir, entry: s.mine, pathEnv: s.dir });
  assert.equal(await uninstallCommand({ dir: s.dir, entry: s.mine }), `command: removed ${s.link}`);
  assert.equal(existsSync(s.link), false);
  await installCommand({ dir: s.dir, entry: s.other, pathEnv: s.dir });
  assert.match(await uninstallCommand({ dir: s.dir, entry: s.mine }), /not to this checkout/);
  rmSync(path.join(s.root, 'other'), { recursive: true });
  assert.equal(await uninstallCommand({ dir: s.dir, entry: s.mine }), `command: removed ${s.link}`);
  assert.match(await describeCommand({ dir: s.dir, entry: s.mine }), /^command: no .*without --no-install links it to/);
});

test("a link to a program of the user's own named bin/peapod.js, with no peapod package beside it, is never moved; nor is a link moved to an entry that is not there", async (t) => {
  const s = scene(t);
  mkdirSync(path.join(s.root, 'dotfiles', 'bin'), { recursive: true });
  const own = path.join(s.root, 'dotfiles', 'bin', 'peapod.js');
  writeFileSync(own, '#!/bin/sh\necho mine\n');
  mkdirSync(s.dir);
  symlinkSync(own, s.link);
  assert.match(await installCommand({ dir: s.dir, entry: s.mine, pathEnv: s.dir }), /left as it is/);
  assert.equal(readlinkSync(s.link), own);
  assert.match(await uninstallCommand({ dir: s.dir, entry: s.mine }), /left as it is/);
  rmSync(s.link);
  assert.match(await installCommand({ dir: s.dir, entry: path.join(s.root, 'nowhere', 'bin', 'peapod.js'), pathEnv: s.dir }), /is not there .* left as it is$/);
  assert.equal(existsSync(s.link), false);
});
