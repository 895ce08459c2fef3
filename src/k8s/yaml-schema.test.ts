import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse, stringify } from 'yaml';
import { KUBE_YAML } from './yaml-schema.js';
import { parseManifests } from '../cli/manifests.js';

test('YAML reads as sigs.k8s.io/yaml (go-yaml v2, YAML 1.1) reads it: octal modes, 1.1 booleans; no sexagesimals or timestamps', () => {
  const v = parse(['mode: 0400', 'mode2: 0644', 'dec: 400', 'hex: 0x1F', 'bin: 0b101', 'a: yes', 'b: off', 'c: y', 'n: 1', 'time: 10:30', 'day: 2001-12-14', 'ver: 1.10', 's: "0400"'].join('\n'), KUBE_YAML);
  assert.deepEqual(v, { mode: 256, mode2: 420, dec: 400, hex: 31, bin: 5, a: true, b: false, c: true, false: 1, time: '10:30', day: '2001-12-14', ver: 1.1, s: '0400' });
});

test('kubectl\'s and peapod\'s manifests agree on a secret volume\'s defaultMode 0400', () => {
  const [pod] = parseManifests('apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  volumes:\n  - name: s\n    secret: {secretName: s, defaultMode: 0400}\n', 'x.yaml');
  assert.equal((pod!.spec as { volumes: { secret: { defaultMode: number } }[] }).volumes[0]!.secret.defaultMode, 0o400);
});

test('Go\'s int prefixes (0o, 0X, 0B) are ints as go-yaml v2 reads them; !!set, !!omap and !!binary are not made into what go-yaml does not make', () => {
  assert.deepEqual(parse('a: 0o644\nb: 0X1F\nc: 0B101\nd: -0o17\ne: 0o1_0', KUBE_YAML), { a: 0o644, b: 31, c: 5, d: -15, e: 8 });
  const odd = parse('s: !!set {x, z}\no: !!omap [{x: 1}]\nb: !!binary aGVsbG8=', KUBE_YAML) as Record<string, unknown>;
  assert.deepEqual(odd.s, { x: null, z: null });
  assert.deepEqual(odd.o, [{ x: 1 }]);
  assert.equal(odd.b, 'aGVsbG8=');
});

test('what peapod writes reads back the same: strings a YAML 1.1 reader would take for booleans or numbers are quoted', () => {
  const data = { debug: 'yes', mode: 'on', n: '1_000', flag: 'y', oct: '0400', go: '0o17', time: '10:30', num: 420, t: true };
  assert.deepEqual(parse(stringify({ data }, KUBE_YAML), KUBE_YAML), { data });
});
