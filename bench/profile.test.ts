import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildProfile, PARALLEL, parseLogLines, podPhases, summarizeProfile, type StartTimeline } from './profile.js';

const t: StartTimeline = { name: 'p', sentAt: 1000, answeredAt: 1010, runningAt: 1200, containerIds: ['c1'] };
const logText = [
  'not json',
  JSON.stringify({ level: 20, time: 1080, msg: 'sandbox created', sandboxId: 's', msSinceStart: { netns: 10, cgroup: 5, files: 3, infra: 40, attach: 50 }, totalMs: 50 }),
  JSON.stringify({ level: 20, time: 1150, msg: 'container created', containerId: 'c1', rootfsMs: 20, totalMs: 60 }),
  JSON.stringify({ level: 20, time: 5000, msg: 'container created', containerId: 'c2', rootfsMs: 1, totalMs: 2 }),
].join('\n');

test('log lines are parsed from pino JSON and other lines are skipped', () => {
  assert.deepEqual(parseLogLines(logText).map((l) => l.msg), ['sandbox created', 'container created', 'container created']);
});

test('the phases of one pod add up to its start time', () => {
  const p = podPhases(t, parseLogLines(logText))!;
  assert.equal(p['API: create call answered (validation, store write)'], 10);
  assert.equal(p['pod manager: pick-up and sync until the sandbox starts'], 20);
  assert.equal(p['sandbox: netns + pod cgroup (parallel)'], 10);
  assert.equal(p['sandbox: infra container (conmon + runc) ‖ CNI attach'], 40);
  assert.equal(p['between sandbox and container: image lookup, container config'], 10);
  assert.equal(p['container: rootfs (overlay mount)'], 20);
  assert.equal(p['container: spec + conmon + runc create'], 40);
  assert.equal(p['container start, status write, watch event'], 50);
  assert.equal(Object.values(p).reduce((a, b) => a + b, 0), t.runningAt - t.sentAt);
});

test('a pod whose log lines are outside its window gets no phases', () => {
  assert.equal(podPhases({ ...t, sentAt: 2000, answeredAt: 2001, runningAt: 2100 }, parseLogLines(logText)), undefined);
});

test('without duration log lines the profile falls back to client timestamps and says so', () => {
  const p = buildProfile([t], [])!;
  assert.match(p.source, /client timestamps only/);
  assert.deepEqual(p.phases.map((x) => x.p50Ms), [10, 190]);
});

test('the profile names the dominating phase', () => {
  const p = buildProfile([t], parseLogLines(logText))!;
  assert.equal(p.totalP50Ms, 200);
  assert.match(p.summary, /^Of a median 200 ms pod start, "container start, status write, watch event" dominates \(50 ms, 25%\)/);
});

test('the summary lists at most three phases', () => {
  const s = summarizeProfile([{ name: 'a', p50Ms: 1 }, { name: 'b', p50Ms: 5 }, { name: 'c', p50Ms: 3 }, { name: 'd', p50Ms: 2 }], 11);
  assert.equal(s, 'Of a median 11 ms pod start, "b" dominates (5 ms, 45%), followed by c (3 ms, 27%) and d (2 ms, 18%).');
});

test('issue 15: with the sandbox returned before its infra container is made, the path adds up and the infra runs beside it', () => {
  const lines = parseLogLines([
    // runPodSandbox at 1030, returned at 1070 (pins, netns, cgroup, files), attach done at 1090, infra at 1130.
    JSON.stringify({ level: 20, time: 1130, msg: 'sandbox created', msSinceStart: { netns: 8, cgroup: 5, pins: 10, files: 40, attach: 60, infra: 100 }, returnedMs: 40, totalMs: 100 }),
    JSON.stringify({ level: 20, time: 1150, msg: 'container created', containerId: 'c1', rootfsMs: 20, totalMs: 75 }),
  ].join('\n'));
  const p = podPhases(t, lines)!;
  assert.equal(p['sandbox: netns + IPC/UTS pins + pod cgroup + files (parallel)'], 40);
  assert.equal(p['between sandbox and container: image lookup, container config'], 5);
  assert.equal(p['container start (once the infra and network are), status write, watch event'], 50);
  assert.equal(p[`${PARALLEL}infra container (conmon + runc)`], 60);
  assert.equal(p[`${PARALLEL}CNI attach, /etc/hosts`], 20);
  const onPath = Object.entries(p).filter(([k]) => !k.startsWith(PARALLEL)).map(([, v]) => v);
  assert.equal(onPath.reduce((a, b) => a + b, 0), t.runningAt - t.sentAt);
  assert.doesNotMatch(summarizeProfile(Object.entries(p).map(([name, p50Ms]) => ({ name, p50Ms })), 200), /in parallel/);
});
