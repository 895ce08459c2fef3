import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tabwrite } from './tabwriter.js';
import { formatTable, type Table } from './table.js';
import { dockerDuration, dockerSize, humanDuration } from './age.js';

const pods: Table = {
  kind: 'Table',
  columnDefinitions: [
    { name: 'Name' }, { name: 'Ready' }, { name: 'Status' }, { name: 'Restarts' }, { name: 'Age' },
    { name: 'IP', priority: 1 }, { name: 'Node', priority: 1 },
  ],
  rows: [
    { cells: ['web', '1/1', 'Running', 0, '5m'], object: { metadata: { name: 'web', namespace: 'default' } } },
    { cells: ['a-much-longer-name', '0/1', 'CrashLoopBackOff', '3 (10s ago)', '45s', '10.88.0.7', null], object: { metadata: { name: 'x', namespace: 'kube-system' } } },
  ],
};

test('prints a table like kubectl get: upper-case headers, three spaces between columns', () => {
  assert.equal(formatTable(pods, { wide: false, withNamespace: false }), [
    'NAME                 READY   STATUS             RESTARTS      AGE',
    'web                  1/1     Running            0             5m',
    'a-much-longer-name   0/1     CrashLoopBackOff   3 (10s ago)   45s',
  ].join('\n'));
});

test('-o wide adds the priority columns and -A the NAMESPACE column; a missing cell is <none>', () => {
  const lines = formatTable(pods, { wide: true, withNamespace: true }).split('\n');
  assert.equal(lines[0], 'NAMESPACE     NAME                 READY   STATUS             RESTARTS      AGE   IP          NODE');
  assert.equal(lines[2], 'kube-system   a-much-longer-name   0/1     CrashLoopBackOff   3 (10s ago)   45s   10.88.0.7   <none>');
});

test('short columns are padded to kubectl\'s minimum width of six', () => {
  const t: Table = { kind: 'Table', columnDefinitions: [{ name: 'A' }, { name: 'B' }], rows: [{ cells: ['x', 'y'] }] };
  assert.equal(formatTable(t, { wide: false, withNamespace: false }), 'A     B\nx     y');
});

test('the tabwriter aligns only adjacent lines that share a column', () => {
  assert.equal(tabwrite('a:\t1\nlonger:\t2\nbreak\nb:\t3', { minWidth: 0, padding: 2 }), 'a:       1\nlonger:  2\nbreak\nb:  3');
});

const durations: [number, string][] = [
  [0, '0s'], [59_000, '59s'], [119_000, '119s'], [150_000, '2m30s'], [600_000, '10m'], [3 * 3600_000 + 5 * 60_000, '3h5m'],
  [20 * 3600_000, '20h'], [3 * 86400_000 + 4 * 3600_000, '3d4h'], [12 * 86400_000, '12d'],
];
for (const [ms, want] of durations) {
  test(`a duration of ${ms} ms prints as ${want}`, () => assert.equal(humanDuration(ms), want));
}

test('image sizes and ages print like docker images', () => {
  assert.equal(dockerSize(4_261_234), '4.26MB');
  assert.equal(dockerSize(999), '999B');
  assert.equal(dockerSize(1_234), '1.23kB');
  assert.equal(dockerDuration(90_000), 'About a minute');
  assert.equal(dockerDuration(2 * 3600_000), '2 hours');
});

test('a cell prints as kubectl\'s table printer writes it: up to its first line break, an escape as ^[', () => {
  // Recorded from kubectl v1.32 on events whose message held these characters.
  const t: Table = { kind: 'Table', columnDefinitions: [{ name: 'Reason' }, { name: 'Message' }], rows: [
    { cells: ['Test', 'red \x1b[31mRED\x1b[0m and\rcr'] },
    { cells: ['Tab\x07', 'a\tb \x01 \x7f \u009b c\nsecond'] },
  ] };
  assert.equal(formatTable(t, { wide: false, withNamespace: false }), [
    'REASON   MESSAGE',
    'Test     red ^[[31mRED^[[0m and...',
    'Tab\x07     a     b \x01 \x7f \u009b c...',
  ].join('\n'));
});
