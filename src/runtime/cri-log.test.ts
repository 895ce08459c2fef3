import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CriLogFormatter, normalizeTimestamp, parseCriLine, splitLines, tailEntries, type CriEntry } from './cri-log.js';

const line = (s: string) => parseCriLine(Buffer.from(s))!;

test('a full stdout line parses into its parts', () => {
  const e = line('2026-11-22T02:34:44.812251458+00:00 stdout F hello world');
  assert.equal(e.stream, 'stdout');
  assert.equal(e.partial, false);
  assert.equal(e.content.toString(), 'hello world');
  assert.equal(e.timestamp, '2026-11-22T02:34:44.812251458Z');
  assert.equal(e.time, Date.UTC(2026, 10, 22, 2, 34, 44, 812));
});

test('a timestamp with a non-zero offset is converted to UTC', () => {
  assert.equal(normalizeTimestamp('2026-11-22T04:34:44.5+02:00')?.text, '2026-11-22T02:34:44.500000000Z');
});

test('a malformed line is rejected', () => {
  assert.equal(parseCriLine(Buffer.from('not a log line')), undefined);
  assert.equal(parseCriLine(Buffer.from('2026-11-22T02:34:44Z stdin F x')), undefined);
});

test('an empty full line keeps an empty message', () => {
  const e = line('2026-11-22T02:34:44.1+00:00 stderr F ');
  assert.equal(e.content.length, 0);
  assert.equal(e.stream, 'stderr');
});

test('partial chunks are joined with the full line that ends them', () => {
  const f = new CriLogFormatter({ timestamps: false });
  const out = [line('2026-11-22T02:34:44.1+00:00 stdout P partial6'), line('2026-11-22T02:34:44.2+00:00 stdout F line7')].map((e) => f.format(e));
  assert.equal(Buffer.concat(out).toString(), 'partial6line7\n');
});

test('timestamps prefix each output line once, not each chunk', () => {
  const f = new CriLogFormatter({ timestamps: true });
  const out = ['2026-11-22T02:34:44.1+00:00 stdout P a', '2026-11-22T02:34:44.2+00:00 stdout F b', '2026-11-22T02:34:45+00:00 stdout F c'].map((s) => f.format(line(s)));
  assert.equal(Buffer.concat(out).toString(), '2026-11-22T02:34:44.100000000Z ab\n2026-11-22T02:34:45.000000000Z c\n');
});

test('entries older than sinceMs are dropped', () => {
  const f = new CriLogFormatter({ timestamps: false, sinceMs: Date.UTC(2026, 10, 22, 2, 34, 45) });
  assert.equal(f.format(line('2026-11-22T02:34:44.9+00:00 stdout F old')).length, 0);
  assert.equal(f.format(line('2026-11-22T02:34:45.0+00:00 stdout F new')).toString(), 'new\n');
});

test('splitLines keeps the unfinished rest', () => {
  const { lines, rest } = splitLines(Buffer.from('a\nb\nc'));
  assert.deepEqual(lines.map(String), ['a', 'b']);
  assert.equal(rest.toString(), 'c');
});

const entries = (spec: string): CriEntry[] => spec.split(' ').map((t) => line(`2026-11-22T02:34:44Z stdout ${t[0]} ${t.slice(1)}`));
const tailCases: [string, string, number, string][] = [
  ['tail keeps the last n full lines', 'F1 F2 F3', 2, 'F2 F3'],
  ['tail keeps partial chunks with the line they belong to', 'F1 Pa Fb F3', 2, 'Pa Fb F3'],
  ['tail counts an unfinished trailing line as one', 'F1 F2 Px', 1, 'Px'],
  ['tail of more lines than exist returns everything', 'F1 F2', 5, 'F1 F2'],
  ['tail zero returns nothing', 'F1 F2', 0, ''],
];
for (const [name, spec, n, want] of tailCases) {
  test(name, () => {
    const got = tailEntries(entries(spec), n).map((e) => `${e.partial ? 'P' : 'F'}${e.content}`).join(' ');
    assert.equal(got, want);
  });
}
