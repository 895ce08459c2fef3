import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatCustomColumns, parseCustomColumns, parseCustomColumnsFile, relaxedJsonPath } from './custom-columns.js';

// Recorded from kubectl v1.32 (`kubectl get cm web-0 -o custom-columns=SPEC [--no-headers]`) on a peapod
// daemon holding this object: stdout, stderr, exit code.
const obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "web-0", "namespace": "default", "labels": {"app": "web", "app.kubernetes.io/name": "shop"}, "annotations": {"note": "<a & b>"}}, "spec": {"containers": [{"name": "app", "image": "nginx:1.27", "ports": [{"containerPort": 80, "protocol": "TCP"}, {"containerPort": 443}], "resources": {"limits": {"cpu": "500m"}}}, {"name": "log", "image": "busybox", "args": ["tail", "-f", "/x"]}], "priority": 0, "weight": 1.5, "big": 1000000.5, "tiny": 1e-05, "enabled": true, "nothing": null, "empty": {}, "none": [], "text": "héllo\tworld"}, "status": {"phase": "Running", "podIP": "10.88.0.7", "containerStatuses": [{"name": "app", "ready": true, "restartCount": 0}, {"name": "log", "ready": false, "restartCount": 3}], "conditions": [{"type": "Ready", "status": "False"}, {"type": "PodScheduled", "status": "True"}, {"type": "Initialized", "status": "True"}]}};

interface Case {
  spec: string;
  noHeaders: boolean;
  stdout: string;
  stderr: string;
  rc: number;
}

/** What get prints: the lines, or the lines before a failing row and kubectl's error. */
function run(c: Case): Case {
  let stdout = '';
  try {
    const columns = parseCustomColumns(c.spec);
    const text = formatCustomColumns(columns, [obj], { header: !c.noHeaders }, (partial) => (stdout += `${partial}\n`));
    return { ...c, stdout: `${text}\n`, stderr: '', rc: 0 };
  } catch (err) {
    return { ...c, stdout, stderr: `error: ${(err as Error).message}\n`, rc: 1 };
  }
}

const cases: Case[] = [
 {
  "spec": "NAME:.metadata.name,IP:.status.podIP",
  "noHeaders": false,
  "stdout": "NAME    IP\nweb-0   10.88.0.7\n",
  "stderr": "",
  "rc": 0
 },
 {
  "spec": "NAME:.metadata.name,IP:.status.podIP",
  "noHeaders": true,
  "stdout": "web-0   10.88.0.7\n",
  "stderr": "",
  "rc": 0
 },
 {
  "spec": "NAME:metadata.name,PORTS:{.spec.containers[*].ports[*].containerPort},LABELS:{metadata.labels}",
  "noHeaders": false,
  "stdout": "NAME    PORTS    LABELS\nweb-0   80,443   map[app:web app.kubernetes.io/name:shop]\n",
  "stderr": "",
  "rc": 0
 },
 {
  "spec": "NAME:metadata.name,PORTS:{.spec.containers[*].ports[*].containerPort},LABELS:{metadata.labels}",
  "noHeaders": true,
  "stdout": "web-0   80,443   map[app:web app.kubernetes.io/name:shop]\n",
  "stderr": "",
  "rc": 0
 },
 {
  "spec": "C:.spec.containers[*].name,ARGS:.spec.containers[1].args,NONE:.nope,EMPTY:,W:.spec.weight,B:.spec.big,N:.spec.nothing,T:.spec.text",
  "noHeaders": false,
  "stdout": "C         ARGS           NONE     EMPTY    W     B               N       T\napp,log   [tail -f /x]   <none>   <none>   1.5   1.0000005e+06   <nil>   héllo   world\n",
  "stderr": "",
  "rc": 0
 },
 {
  "spec": "C:.spec.containers[*].name,ARGS:.spec.containers[1].args,NONE:.nope,EMPTY:,W:.spec.weight,B:.spec.big,N:.spec.nothing,T:.spec.text",
  "noHeaders": true,
  "stdout": "app,log   [tail -f /x]   <none>   <none>   1.5   1.0000005e+06   <nil>   héllo   world\n",
  "stderr": "",
  "rc": 0
 },
 {
  "spec": "A-VERY-LONG-HEADER-NAME:.metadata.name,X:.spec.containers[?(@.name==\"log\")].image",
  "noHeaders": false,
  "stdout": "A-VERY-LONG-HEADER-NAME   X\nweb-0                     busybox\n",
  "stderr": "",
  "rc": 0
 },
 {
  "spec": "A-VERY-LONG-HEADER-NAME:.metadata.name,X:.spec.containers[?(@.name==\"log\")].image",
  "noHeaders": true,
  "stdout": "web-0   busybox\n",
  "stderr": "",
  "rc": 0
 },
 {
  "spec": "A:.metadata.labels.app\\.kubernetes\\.io/name,R:{.status.containerStatuses[*].restartCount}",
  "noHeaders": false,
  "stdout": "A      R\nshop   0,3\n",
  "stderr": "",
  "rc": 0
 },
 {
  "spec": "A:.metadata.labels.app\\.kubernetes\\.io/name,R:{.status.containerStatuses[*].restartCount}",
  "noHeaders": true,
  "stdout": "shop   0,3\n",
  "stderr": "",
  "rc": 0
 },
 {
  "spec": "A",
  "noHeaders": false,
  "stdout": "",
  "stderr": "error: unexpected custom-columns spec: A, expected <header>:<json-path-expr>\n",
  "rc": 1
 },
 {
  "spec": "A",
  "noHeaders": true,
  "stdout": "",
  "stderr": "error: unexpected custom-columns spec: A, expected <header>:<json-path-expr>\n",
  "rc": 1
 },
 {
  "spec": "A:{{.x}}",
  "noHeaders": false,
  "stdout": "",
  "stderr": "error: unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'\n",
  "rc": 1
 },
 {
  "spec": "A:{{.x}}",
  "noHeaders": true,
  "stdout": "",
  "stderr": "error: unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'\n",
  "rc": 1
 },
 {
  "spec": "A:.spec.containers[9]",
  "noHeaders": false,
  "stdout": "A\n",
  "stderr": "error: array index out of bounds: index 9, length 2\n",
  "rc": 1
 },
 {
  "spec": "A:.spec.containers[9]",
  "noHeaders": true,
  "stdout": "",
  "stderr": "error: array index out of bounds: index 9, length 2\n",
  "rc": 1
 },
 {
  "spec": "PHASE:.status.phase,NS:.metadata.namespace",
  "noHeaders": false,
  "stdout": "PHASE     NS\nRunning   default\n",
  "stderr": "",
  "rc": 0
 },
 {
  "spec": "PHASE:.status.phase,NS:.metadata.namespace",
  "noHeaders": true,
  "stdout": "Running   default\n",
  "stderr": "",
  "rc": 0
 }
];

for (const c of cases) {
  test(`custom-columns=${c.spec}${c.noHeaders ? ' --no-headers' : ''} prints as kubectl`, () => assert.deepEqual(run(c), c));
}

test('paths are accepted with or without braces and the leading dot', () => {
  for (const p of ['metadata.name', '.metadata.name', '{metadata.name}', '{.metadata.name}']) assert.equal(relaxedJsonPath(p), '{.metadata.name}');
  assert.equal(relaxedJsonPath(''), '');
  assert.throws(() => relaxedJsonPath('{a}{b}'), /unexpected path string/);
});

test('a custom-columns file: headers on the first line, paths on the second, any whitespace between', () => {
  const cols = parseCustomColumnsFile('NAME\t  PORTS\nmetadata.name   {.spec.containers[*].ports[*].containerPort}\n');
  assert.equal(formatCustomColumns(cols, [obj, obj], { header: true }), 'NAME    PORTS\nweb-0   80,443\nweb-0   80,443');
  assert.throws(() => parseCustomColumnsFile(''), /missing header line/);
  assert.throws(() => parseCustomColumnsFile('NAME\n'), /missing spec line/);
  assert.throws(() => parseCustomColumnsFile('NAME B\n.metadata.name\n'), /number of headers \(2\) and field specifications \(1\) don't match/);
});

test('with remembered widths (get -w), later rows never shrink a column', () => {
  const cols = parseCustomColumns('NAME:.metadata.name,NS:.metadata.namespace');
  const widths: number[] = [];
  assert.equal(formatCustomColumns(cols, [obj], { header: true, remembered: widths }), 'NAME    NS\nweb-0   default');
  const short = { metadata: { name: 'a', namespace: 'b' } };
  assert.equal(formatCustomColumns(cols, [short], { header: false, remembered: widths }), 'a       b');
  const long = { metadata: { name: 'a-much-longer-name', namespace: 'b' } };
  assert.equal(formatCustomColumns(cols, [long], { header: false, remembered: widths }), 'a-much-longer-name   b');
  assert.equal(formatCustomColumns(cols, [short], { header: false, remembered: widths }), 'a                    b');
});
