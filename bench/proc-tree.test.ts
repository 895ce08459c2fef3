import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kbField, podProcessPids, ppidFromStat, type ProcEntry } from './proc-tree.js';

const table: ProcEntry[] = [
  { pid: 1, ppid: 0, argv: ['/sbin/init'] },
  { pid: 10, ppid: 1, argv: ['/usr/bin/conmon', '--runtime-arg', '--root=/run/peapod-ab/runc'] },
  { pid: 11, ppid: 10, argv: ['/usr/bin/catatonit', '-P'] },
  { pid: 20, ppid: 1, argv: ['/usr/bin/conmon', '-b', '/run/peapod-ab/x'] },
  { pid: 21, ppid: 20, argv: ['sh'] },
  { pid: 22, ppid: 21, argv: ['sleep', '3600'] },
  { pid: 30, ppid: 1, argv: ['/usr/bin/conmon', '--root=/run/other/runc'] },
  { pid: 31, ppid: 30, argv: ['sleep'] },
  { pid: 40, ppid: 1, argv: ['node', '/run/peapod-ab/conmon-lookalike'] },
];

test('the pod processes are the marked conmons and everything below them', () => {
  assert.deepEqual(podProcessPids(table, '/run/peapod-ab'), [10, 11, 20, 21, 22]);
});

test('conmons of another engine and look-alike commands are left out', () => {
  assert.deepEqual(podProcessPids(table, '/run/other'), [30, 31]);
  assert.deepEqual(podProcessPids(table, '/nowhere'), []);
});

test('kB fields are read by name, absent ones are zero', () => {
  const text = 'Rss:                1234 kB\nPss:                 567 kB\n';
  assert.equal(kbField(text, 'Pss'), 567);
  assert.equal(kbField(text, 'Rss'), 1234);
  assert.equal(kbField(text, 'Swap'), 0);
});

test('the parent pid survives a command name with spaces and parentheses', () => {
  assert.equal(ppidFromStat('123 (my (odd) name) S 45 123 123 0 -1'), 45);
});
