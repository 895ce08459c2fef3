import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../../k8s/types.js';
import { findResource } from '../resources.js';
import { GET_OUTPUTS } from '../printable.js';
import { parseOutputFormat, printObjects, type OutputFormat, type PrintState } from './get.js';

// Error texts recorded from kubectl v1.32 (`kubectl get pods -o ...`).
const refused: [string, string][] = [
  ['xml', 'error: unable to match a printer suitable for the output format "xml", allowed formats are: custom-columns,custom-columns-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,wide,yaml'],
  ['JSONPATH={.kind}', 'error: unable to match a printer suitable for the output format "JSONPATH={.kind}", allowed formats are: custom-columns,custom-columns-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,wide,yaml'],
  ['jsonpath', 'error: template format specified but no template given'],
  ['jsonpath=', 'error: template format specified but no template given'],
  ['custom-columns', 'error: custom-columns format specified but no custom columns given'],
  ['jsonpath={.a', 'error: error parsing jsonpath {.a, unclosed action'],
  ['jsonpath={{}', "error: error parsing jsonpath {{}, unrecognized character in action: U+007B '{'"],
  ['custom-columns=A', 'error: unexpected custom-columns spec: A, expected <header>:<json-path-expr>'],
  ['jsonpath-file=/nonexistent/t', 'error: error reading --template /nonexistent/t, open /nonexistent/t: no such file or directory'],
  ['custom-columns-file=/nonexistent/t', 'error: error reading template /nonexistent/t, open /nonexistent/t: no such file or directory'],
];
for (const [o, want] of refused) {
  test(`-o ${o} is refused with kubectl's words`, () => assert.throws(() => parseOutputFormat(o), (e: Error) => e.message === want));
}

test('go templates are refused, naming the formats peapod prints', () => {
  for (const o of ['go-template={{.kind}}', 'go-template-file=x', 'template={{.kind}}', 'templatefile=x']) {
    assert.throws(() => parseOutputFormat(o), (e: Error) => /does not print Go templates/.test(e.message) && e.message.includes(GET_OUTPUTS.join(',')));
  }
});

test('-o values are read as kubectl reads them', () => {
  assert.deepEqual(parseOutputFormat(''), { kind: 'table', wide: false });
  assert.deepEqual(parseOutputFormat('wide'), { kind: 'table', wide: true });
  assert.deepEqual(parseOutputFormat('JSON'), { kind: 'json' });
  assert.equal(parseOutputFormat('jsonpath={.a}={.b}').kind, 'jsonpath');
  const dir = mkdtempSync(join(tmpdir(), 'peapod-get-'));
  writeFileSync(join(dir, 't'), '{.metadata.name}');
  const f = parseOutputFormat(`jsonpath-file=${join(dir, 't')}`);
  assert.ok(f.kind === 'jsonpath' && f.path.execute({ metadata: { name: 'x' } }) === 'x');
});

const pod = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, status: { phase: 'Running' } }) as unknown as KubeObject;
const fresh = (): PrintState => ({ count: 0, header: false, widths: [] });
const print = (o: string, objs: KubeObject[], st: PrintState, value: unknown = objs[0], noHeaders = false) => {
  let out = '';
  printObjects(parseOutputFormat(o) as Exclude<OutputFormat, { kind: 'table' }>, value, objs, st, (t) => (out += t), { noHeaders, watch: true, typeOf: () => findResource('pods') });
  return out;
};

test('-w: each object by itself, as kubectl prints watch events', () => {
  let st = fresh();
  assert.equal(print('name', [pod('a')], st) + print('name', [pod('b')], st), 'pod/a\npod/b\n');
  st = fresh();
  assert.equal(print('jsonpath={.metadata.name}{"\\n"}', [pod('a')], st) + print('jsonpath={.metadata.name}{"\\n"}', [pod('b')], st), 'a\nb\n');
  st = fresh();
  const y = print('yaml', [pod('a')], st) + print('yaml', [pod('b')], st);
  assert.match(y, /^apiVersion: v1\n[^]*\n---\napiVersion: v1\n/);
  st = fresh();
  const cc = 'custom-columns=NAME:.metadata.name,PHASE:.status.phase';
  assert.equal(print(cc, [pod('a')], st) + print(cc, [pod('a-longer-name')], st) + print(cc, [pod('b')], st), [
    'NAME   PHASE', 'a      Running', 'a-longer-name   Running', 'b               Running', ''].join('\n'));
});

test('-w: a template that fails on an event is kubectl\'s watch error', () => {
  assert.throws(() => print('jsonpath={.a[0]}', [pod('a')], fresh(), { a: 'x' }), (e: Error) => /^error: unable to output the provided object: error executing jsonpath "\{\.a\[0\]\}": Error executing template: string is not array or slice\./.test(e.message));
});

test('-o yaml quotes what go-yaml v2 quotes: base-60 look-alikes ("12:30" is 750 to a YAML 1.1 reader), and survives U+2028/U+2029', async () => {
  const { objectOutput } = await import('./get.js');
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'sexa' }, data: { a: '12:30', b: '1:20.5', c: '-1:20', g: '1:70', h: '1:20:x', u: 'p\u2029q' } } as unknown as KubeObject;
  // As kubectl 1.33 printed these values (u: kubectl also indents after the separator; peapod keeps it on one line).
  assert.equal(objectOutput([cm], true, 'yaml'), 'apiVersion: v1\ndata:\n  a: "12:30"\n  b: "1:20.5"\n  c: "-1:20"\n  g: 1:70\n  h: 1:20:x\n  u: \'p\u2029q\'\nkind: ConfigMap\nmetadata:\n  name: sexa');
});
