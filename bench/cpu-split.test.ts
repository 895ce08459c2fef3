import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cpuSplit, readCpu, statTicks, type CpuReading } from './cpu-split.js';

test('a stat line gives utime + stime, and with the waited-for children cutime + cstime too', () => {
  const stat = '1234 (node peapod (x)) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 50 7 3 20 0 11 0';
  assert.equal(statTicks(stat), 300);
  assert.equal(statTicks(stat, true), 310);
});

test('the rest is the host busy time less the daemon, its children and the bench; the floor spreads the rest and the bench over the cores', () => {
  const a: CpuReading = { hostBusy: 1000, daemon: new Map([[10, 100], [11, 50]]), bench: new Map([[20, 30]]) };
  const b: CpuReading = { hostBusy: 6000, daemon: new Map([[10, 900], [11, 350], [12, 999]]), bench: new Map([[20, 230]]) };
  const s = cpuSplit(a, b, 2);
  assert.equal(s.daemonCoreS, 11, 'a child seen only at the end does not count');
  assert.equal(s.helperCoreS, 3);
  assert.equal(s.benchCoreS, 2);
  assert.equal(s.otherCoreS, 37);
  assert.equal(s.floorS, 19.5);
});

test('this process reads its own CPU, and the host is busy at least by it', () => {
  const r = readCpu(process.pid, []);
  assert.ok(r.daemon.has(process.pid) && r.bench.has(process.pid));
  assert.ok(r.hostBusy > 0);
});
