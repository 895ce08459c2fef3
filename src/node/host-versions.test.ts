import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseCatatonitVersion, parseConmonVersion, readServerVersions } from './host-versions.js';
import { PEAPOD_VERSION } from '../version.js';
import type { Exec, ExecResult } from '../system/exec.js';

test("peapod's version is package.json's", () => {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  assert.equal(PEAPOD_VERSION, pkg.version);
});

test('the programs print their versions as these machines have them', () => {
  assert.equal(parseConmonVersion('conmon version 2.1.6\ncommit: unknown\n'), '2.1.6');
  assert.equal(parseCatatonitVersion('tini version 0.1.7_catatonit\n'), '0.1.7');
  assert.equal(parseConmonVersion(''), 'unknown');
  assert.equal(parseCatatonitVersion('catatonit: not found'), 'unknown');
});

test('the versions of every program, and unknown for one that cannot say', async () => {
  const ran: string[] = [];
  const exec = {
    run: async (file: string, args: string[]): Promise<ExecResult> => {
      ran.push([file, ...args].join(' '));
      if (file.endsWith('conmon')) return { code: 0, stdout: 'conmon version 2.1.6\n', stderr: '' };
      if (file === 'dpkg-query') return { code: 1, stdout: '', stderr: 'no packages found' };
      throw Object.assign(new Error('spawn ENOENT'), { code: 'ENOENT' });
    },
  } as unknown as Exec;
  const v = await readServerVersions({ exec, runcVersion: '1.1.5+ds1', osImage: 'Debian GNU/Linux 12 (bookworm)' });
  assert.deepEqual(v.runtime, { runc: '1.1.5+ds1', conmon: '2.1.6', catatonit: 'unknown', cniPlugins: 'unknown' });
  assert.equal(v.kubernetes, 'v1.33.0');
  assert.equal(v.node, process.version);
  assert.ok(ran.includes('dpkg-query -W -f ${Version} containernetworking-plugins'));
});
