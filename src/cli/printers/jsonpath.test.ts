import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goJson, goNumber, goQuote, goSharpV, goSprint, JsonPath, JsonPathExecError, JsonPathParseError, jsonPathExecMessage } from './jsonpath.js';

// The object and every expected output below were recorded from kubectl v1.32 on this fixture:
//   kubectl create -f pod.json --dry-run=client -o MODE=TEMPLATE [--allow-missing-template-keys=false]
// (stdout, the first line of stderr, the exit code).
const pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web-0", "namespace": "shop", "labels": {"app": "web", "app.kubernetes.io/name": "shop"}, "annotations": {"note": "<a & b>"}}, "spec": {"containers": [{"name": "app", "image": "nginx:1.27", "ports": [{"containerPort": 80, "protocol": "TCP"}, {"containerPort": 443}], "resources": {"limits": {"cpu": "500m"}}}, {"name": "log", "image": "busybox", "args": ["tail", "-f", "/x"]}], "priority": 0, "weight": 1.5, "big": 1000000.5, "tiny": 1e-05, "enabled": true, "nothing": null, "empty": {}, "none": [], "text": "héllo\tworld"}, "status": {"phase": "Running", "podIP": "10.88.0.7", "containerStatuses": [{"name": "app", "ready": true, "restartCount": 0}, {"name": "log", "ready": false, "restartCount": 3}], "conditions": [{"type": "Ready", "status": "False"}, {"type": "PodScheduled", "status": "True"}, {"type": "Initialized", "status": "True"}]}};

interface Case {
  mode: 'jsonpath' | 'jsonpath-as-json';
  template: string;
  allowMissing: boolean;
  stdout: string;
  stderr: string;
  rc: number;
}

/** What peapod's get prints for the case: stdout, the first line of stderr, the exit code. */
function run(c: Case): { stdout: string; stderr: string; rc: number } {
  let path: JsonPath;
  try {
    path = new JsonPath(c.template);
  } catch (err) {
    assert.ok(err instanceof JsonPathParseError);
    return { stdout: '', stderr: `error: error parsing jsonpath ${c.template}, ${err.message}`, rc: 1 };
  }
  path.allowMissingKeys = c.allowMissing;
  try {
    return { stdout: c.mode === 'jsonpath' ? path.execute(pod) : path.executeAsJson(pod), stderr: '', rc: 0 };
  } catch (err) {
    assert.ok(err instanceof JsonPathExecError);
    return { stdout: '', stderr: `error: ${jsonPathExecMessage(c.template, err, pod)}`.split('\n')[0], rc: 1 };
  }
}

const cases: Case[] = [
 {
  "mode": "jsonpath",
  "template": "{.metadata.name}",
  "allowMissing": true,
  "stdout": "web-0",
  "stderr": "",
  "rc": 0
 },
 {
  "mode": "jsonpath",
  "template": "{.kind}/{.metadata.namespace}/{.metadata.name}",
  "allowMissing": true,
  "stdout": "Pod/shop/web-0",
  "stderr": "",
  "rc": 0
 },
 {
  "mode": "jsonpath-as-json",
  "template": "{.kind}/{.metadata.namespace}/{.metadata.name}",
  "allowMissing": true,
  "stdout": "[\n    \"Pod\"\n]\n[\n    \"/\"\n]\n[\n    \"shop\"\n]\n[\n    \"/\"\n]\n[\n    \"web-0\"\n]\n",
  "stderr": "",
  "rc": 0
 },
 {
  "mode": "jsonpath",
  "template": "plain text only",
  "allowMissing": true,
  "stdout": "plain text only",
  "stderr": "",
  "rc": 0
 },
 {
  "mode": "jsonpath",
  "template": "{.spec.containers[*].name}",
  "allowMissing": true,
  "stdout": "app log",
  "stderr": "",
  "rc": 0
 },
 {
  "mode": "jsonpath-as-json",
  "template": "{.spec.containers[*].name}",
  "allowMissing": true,
  "stdout": "[\n    \"app\",\n    \"log\"\n]\n",
  "stderr": "",
  "rc": 0
 },
 {
  "mode": "jsonpath",
  "template": "{.spec.containers[0]}",
  "allowMissing": true,
  "stdout": "{\"image\":\"nginx:1.27\",\"name\":\"app\",\"ports\":[{\"containerPort\":80,\"protocol\":\"TCP\"},{\"containerPort\":443}],\"resources\":{\"limits\":{\"cpu\":\"500m\"}}}",
  "stderr": "",
  "rc": 0
 },
 {
  "mode": "jsonpath",
  "template": "{.spec.containers[1].args}",
  "allowMissing": true,
  "stdout": "[\"tail\",\"-f\",\"/x\"]",
  "stderr": "",
  "rc": 0
 },
 {
  "mode": "jsonpath",
  "template": "{.spec.containers[-1].name}",
  "allowMissing": true,
  "stdout": "log",
  "stderr": "",
  "rc": 0
 },
 {
  "mode": "jsonpath",
  "template": "{.spec.containers[-1:].image}",
  "allowMissing": true,
  "stdout": "busybox",
  "stderr": "",
  "rc": 0
 },
 {
  "mode": "jsonpath",
  "template": "{.spec.containers[0:1].name}",
  "allowMissing": true,
  "stdout": "app",
  "stderr": "",
  "rc": 0
 },
 {
  "mode": "jsonpath",
  "template": "{.status.conditions[::2].type}",
  "allowMissing": true,
  "stdout": "Ready Initialized",
  "stderr": "",
  "rc": 0
 },
 {
  "mode": "jsonpath",
  "template": "{.status.conditions[1:].type}",
  "allowMissing": true,
  "stdout": "PodScheduled Initialized",
  "stderr": "",
  "rc": 0
 },
 {
  "mode": "jsonpath",
  "template": "{.status.conditions[0:3:2].type}",
  "allowMissing": true,
  "stdout": "Ready Initialized",
  "stderr": "",
  "rc": 0
 },
 {
  "mode": "jsonpath",
  "template": "{.status.conditions[2:2].type}",
  "allowMissing": true,
  "stdout": "",
  "stderr": "",
  "rc": 0
 },
 {
  "mode": "jsonpath",
  "template": "{.spec.containers[*].ports[*].containerPort}",
  "allowMissing": true,
  "stdout": "80 443",
  "stderr": "",
  "rc": 0
 },
 {
  "mode": "jsonpath",
  "template": "{.spec.containers[0].ports[?(@.containerPort>100)].containerPort}",
  "allowMissing": true,
  "stdout": "443",
  "stderr": "",
  "rc": 0
 },
 {
  "mode": "jsonpath",
  "template": "{.spec.containers[0].ports[?(@.containerPort<=80)].containerPort}",
  "allowMissing": true,
  "stdout": "80",
  "stderr": "",
  "rc": 0
 },
 {
  "mode": "jsonpath",
  "template": "{.spec.containers[0].ports[?(@.protocol)].containerPort}",
  "allowMissing": true,
  "stdout": "80",
  "stderr": "",
  "rc": 0
 },
 {
  "mode": "jsonpath",
  "template": "{.spec.containers[?(@.name==\"log\")].image}",
  "allowMissing": true,
  "stdout": "busybox",
  "stderr": "",
  "rc": 0
 },
 {
  "mode": "jsonpath",
  "template": "{.spec.containers[?(@.name!=\"log\")].image}",
  "allowMissing": true,
  "stdout": "nginx:1.27",
  "stderr": "",
  "rc": 0
 },
 {
  "mode": "jsonpath",
  "template": "{.spec.containers[?(@.name<\"b\")].name}",
  "allowMissing": true,
  "stdout": "app",
  "stderr": "",
  "rc": 0
 },
 {
  "mode": "jsonpath",
  "template": "{.spec.containers[?(@.name>='log')].name}",
  "allowMissing": true,
  "stdout": "log",
  "stderr": "",
  "rc": 0
 },
 {
  "mode": "jsonpath",
  "template": "{.status.containerStatuses[?(@.ready==true)].name}",
  "allowMissing": true,
  "stdout": "app",
  "stderr": "",
  "rc": 0
 },
 {
  "mode": "jsonpath",
  "template": "{.status.containerStatuses[?(@.ready==false)].name}",
  "allowMissing": true,
  "stdout": "log",
  "stderr": "",
  "rc": 0
 },
 {
  "mode": "jsonpath",
  "template": "{.status.containerStatuses[?(@.restartCount>=1)].name}",
  "allowMissing": true,
  "stdout": "log",
  "stderr": "",
  "rc": 0
 },
 {
  "mode": "jsonpath",
  "template": "{.status.conditions[?(@.status==\"True\")].type}",
  "allowMissing": true,
  "stdout": "PodScheduled Initialized",
  "stderr": "",
  "rc": 0
 },
 {
  "mode": "jsonpath",
  "template": "{range .status.conditions[*]}{.type}={.status}{\"\\n\"}{end}",
  "allowMissing": true,
  "stdout": "Ready=False\nPodScheduled=True\nInitialized=True\n",
  "stderr": "",
  "rc": 0
 },
 {
  "mode": "jsonpath-as-json",
  "template": "{range .status.conditions[*]}{.type}={.status}{\"\\n\"}{end}",
  "allowMissing": true,
  "stdout": "[\n    \"Ready\"\n]\n[\n    \"=\"\n]\n[\n    \"False\"\n]\n[\n    \"\\n\"\n]\n[\n    \"PodScheduled\"\n]\n[\n    \"=\"\n]\n[\n    \"True\"\n]\n[\n    \"\\n\"\n]\n[\n    \"Initialized\"\n]\n[\n    \"=\"\n]\n[\n    \"True\"\n]\n[\n    \"\\n\"\n]\n",
  "stderr": "",
  "rc": 0
 },
 {
  "mode": "jsonpath",
  "template": "{range .spec.containers[*]}{.name}:{range .ports[*]}{.containerPort},{end};{end}",
  "allowMissing": true,
  "stdout": "app:80,443,;log:;",
  "stderr": "",
  "rc": 0
 },
 {
  "mode": "jsonpath",
  "template": "{range .spec.none[*]}x{end}after",
  "allowMissing": true,
  "stdout": "after",
  "stderr": "",
  "rc": 0
 },
 {
  "mode": "jsonpath",
  "template": "{.metadata.labels}",
  "allowMissing": true,
  "stdout": "{\"app\":\"web\",\"app.kubernetes.io/name\":\"shop\"}",
  "stderr": "",
  "rc": 0
 },
 {
  "mode": "jsonpath-as-json",
  "template": "{.metadata.labels}",
  "allowMissing": true,
  "stdout": "[\n    {\n        \"app\": \"web\",\n        \"app.kubernetes.io/name\": \"shop\"\n    }\n]\n",
  "stderr": "",
  "rc": 0
 },
 {
  "mode": "jsonpath",
  "template": "{.metadata.labels.app}",
  "allowMissing": true,
  "stdout": "web",
  "stderr": "",
  "rc": 0
 },
 {
  "mode": "jsonpath",
  "template": "{.metadata.labels['app\\.kubernetes\\.io/name']}",
  "allowMissing": true,
  "stdout": "shop",
  "stderr": "",
  "rc": 0
 },
 {
  "mode": "jsonpath",
  "template": "{.metadata.labels.app\\.kubernetes\\.io/name}",
  "allowMissing": true,
  "stdout": "shop",
  "stderr": "",
  "rc": 0
 },
 {
  "mode": "jsonpath",
  "template": "{.metadata['name','namespace']}",
  "allowMissing": true,
  "stdout": "web-0 shop",
  "stderr": "",
  "rc": 0
 },
 {
  "mode": "jsonpath",
  "template": "{.spec.containers[0,1].name}",
  "allowMissing": true,
  "stdout": "app log",
  "stderr": "",
  "rc": 0
 },
 {
  "mode": "jsonpath",
  "template": "{.metadata.annotations}",
  "allowMissing": true,
  "stdout": "{\"note\":\"\\u003ca \\u0026 b\\u003e\"}",
  "stderr": "",
  "rc": 0
 },
 {
  "mode": "jsonpath",
  "template": "{.metadata.annotations.note}",
  "allowMissing": true,
  "stdout": "<a & b>",
  "stderr": "",
  "rc": 0
 },
 {
  "mode": "jsonpath",
  "template": "{.spec.priority} {.spec.weight} {.spec.big} {.spec.tiny} {.spec.enabled} {.spec.nothing}",
  "allowMissing": true,
  "stdout": "0 1.5 1.0000005e+06 1e-05 true null",
  "stderr": "",
  "rc": 0
 },
 {
  "mode": "jsonpath-as-json",
  "template": "{.spec.priority} {.spec.weight} {.spec.big} {.spec.tiny} {.spec.enabled} {.spec.nothing}",
  "allowMissing": true,
  "stdout": "[\n    0\n]\n[\n    \" \"\n]\n[\n    1.5\n]\n[\n    \" \"\n]\n[\n    1000000.5\n]\n[\n    \" \"\n]\n[\n    0.00001\n]\n[\n    \" \"\n]\n[\n    true\n]\n[\n    \" \"\n]\n[\n    null\n]\n",
  "stderr": "",
  "rc": 0
 },
 {
  "mode": "jsonpath",
  "template": "{.spec.empty}{.spec.none}",
  "allowMissing": true,
  "stdout": "{}[]",
  "stderr": "",
  "rc": 0
 },
 {
  "mode": "jsonpath",
  "template": "{.spec.text}",
  "allowMissing": true,
  "stdout": "héllo\tworld",
  "stderr": "",
  "rc": 0
 },
 {
  "mode": "jsonpath",
  "template": "{.spec}",
  "allowMissing": true,
  "stdout": "{\"big\":1000000.5,\"containers\":[{\"image\":\"nginx:1.27\",\"name\":\"app\",\"ports\":[{\"containerPort\":80,\"protocol\":\"TCP\"},{\"containerPort\":443}],\"resources\":{\"limits\":{\"cpu\":\"500m\"}}},{\"args\":[\"tail\",\"-f\",\"/x\"],\"image\":\"busybox\",\"name\":\"log\"}],\"empty\":{},\"enabled\":true,\"none\":[],\"nothing\":null,\"priority\":0,\"text\":\"héllo\\tworld\",\"tiny\":0.00001,\"weight\":1.5}",
  "stderr": "",
  "rc": 0
 },
 {
  "mode": "jsonpath",
  "template": "{..containerPort}",
  "allowMissing": true,
  "stdout": "80 443",
  "stderr": "",
  "rc": 0
 },
 {
  "mode": "jsonpath",
  "template": "{.spec.containers[0]..cpu}",
  "allowMissing": true,
  "stdout": "500m",
  "stderr": "",
  "rc": 0
 },
 {
  "mode": "jsonpath",
  "template": "{.metadata.labels.*}",
  "allowMissing": true,
  "stdout": "web shop",
  "stderr": "",
  "rc": 0
 },
 {
  "mode": "jsonpath",
  "template": "{$.status.phase}",
  "allowMissing": true,
  "stdout": "Running",
  "stderr": "",
  "rc": 0
 },
 {
  "mode": "jsonpath",
  "template": "{@.status.podIP}",
  "allowMissing": true,
  "stdout": "10.88.0.7",
  "stderr": "",
  "rc": 0
 },
 {
  "mode": "jsonpath",
  "template": "{\"a\\tb\\n\"}{'single'}",
  "allowMissing": true,
  "stdout": "a\tb\nsingle",
  "stderr": "",
  "rc": 0
 },
 {
  "mode": "jsonpath",
  "template": "{.nope}",
  "allowMissing": true,
  "stdout": "",
  "stderr": "",
  "rc": 0
 },
 {
  "mode": "jsonpath",
  "template": "{.nope}",
  "allowMissing": false,
  "stdout": "",
  "stderr": "error: error executing jsonpath \"{.nope}\": Error executing template: nope is not found. Printing more information for debugging the template:",
  "rc": 1
 },
 {
  "mode": "jsonpath-as-json",
  "template": "{.nope}",
  "allowMissing": true,
  "stdout": "[]\n",
  "stderr": "",
  "rc": 0
 },
 {
  "mode": "jsonpath",
  "template": "{.nope.deeper}",
  "allowMissing": true,
  "stdout": "",
  "stderr": "",
  "rc": 0
 },
 {
  "mode": "jsonpath",
  "template": "{.nope.deeper}",
  "allowMissing": false,
  "stdout": "",
  "stderr": "error: error executing jsonpath \"{.nope.deeper}\": Error executing template: nope is not found. Printing more information for debugging the template:",
  "rc": 1
 },
 {
  "mode": "jsonpath",
  "template": "{.spec.containers[*].nope}",
  "allowMissing": true,
  "stdout": "",
  "stderr": "",
  "rc": 0
 },
 {
  "mode": "jsonpath",
  "template": "{.spec.containers[*].nope}",
  "allowMissing": false,
  "stdout": "",
  "stderr": "error: error executing jsonpath \"{.spec.containers[*].nope}\": Error executing template: nope is not found. Printing more information for debugging the template:",
  "rc": 1
 },
 {
  "mode": "jsonpath-as-json",
  "template": "{.spec.containers[*].nope}",
  "allowMissing": true,
  "stdout": "[]\n",
  "stderr": "",
  "rc": 0
 },
 {
  "mode": "jsonpath",
  "template": "{.spec.containers[5]}",
  "allowMissing": true,
  "stdout": "",
  "stderr": "error: error executing jsonpath \"{.spec.containers[5]}\": Error executing template: array index out of bounds: index 5, length 2. Printing more information for debugging the template:",
  "rc": 1
 },
 {
  "mode": "jsonpath",
  "template": "{.spec.containers[-5]}",
  "allowMissing": true,
  "stdout": "",
  "stderr": "error: error executing jsonpath \"{.spec.containers[-5]}\": Error executing template: array index out of bounds: index -3, length 2. Printing more information for debugging the template:",
  "rc": 1
 },
 {
  "mode": "jsonpath",
  "template": "{.metadata.labels[0]}",
  "allowMissing": true,
  "stdout": "",
  "stderr": "error: error executing jsonpath \"{.metadata.labels[0]}\": Error executing template: map[string]interface {} is not array or slice. Printing more information for debugging the template:",
  "rc": 1
 },
 {
  "mode": "jsonpath",
  "template": "{.spec.containers[::0]}",
  "allowMissing": true,
  "stdout": "",
  "stderr": "error: error executing jsonpath \"{.spec.containers[::0]}\": Error executing template: step must be > 0. Printing more information for debugging the template:",
  "rc": 1
 },
 {
  "mode": "jsonpath",
  "template": "{.spec.containers[?(@.name==1)]}",
  "allowMissing": true,
  "stdout": "",
  "stderr": "error: error executing jsonpath \"{.spec.containers[?(@.name==1)]}\": Error executing template: incompatible types for comparison. Printing more information for debugging the template:",
  "rc": 1
 },
 {
  "mode": "jsonpath",
  "template": "{.status.containerStatuses[?(@.ready<true)]}",
  "allowMissing": true,
  "stdout": "",
  "stderr": "error: error executing jsonpath \"{.status.containerStatuses[?(@.ready<true)]}\": Error executing template: invalid type for comparison. Printing more information for debugging the template:",
  "rc": 1
 },
 {
  "mode": "jsonpath",
  "template": "{.spec.containers[?(@.ports[*].containerPort==80)]}",
  "allowMissing": true,
  "stdout": "",
  "stderr": "error: error executing jsonpath \"{.spec.containers[?(@.ports[*].containerPort==80)]}\": Error executing template: can only compare one element at a time. Printing more information for debugging the template:",
  "rc": 1
 },
 {
  "mode": "jsonpath",
  "template": "{end}",
  "allowMissing": true,
  "stdout": "",
  "stderr": "error: error executing jsonpath \"{end}\": Error executing template: not in range, nothing to end. Printing more information for debugging the template:",
  "rc": 1
 },
 {
  "mode": "jsonpath",
  "template": "{range .spec.containers[*]}{.name}",
  "allowMissing": true,
  "stdout": "applog",
  "stderr": "",
  "rc": 0
 },
 {
  "mode": "jsonpath",
  "template": "{.unclosed",
  "allowMissing": true,
  "stdout": "",
  "stderr": "error: error parsing jsonpath {.unclosed, unclosed action",
  "rc": 1
 },
 {
  "mode": "jsonpath",
  "template": "{.a[x]}",
  "allowMissing": true,
  "stdout": "",
  "stderr": "error: error parsing jsonpath {.a[x]}, invalid array index x",
  "rc": 1
 },
 {
  "mode": "jsonpath",
  "template": "{.a[?(@.b==1]}",
  "allowMissing": true,
  "stdout": "",
  "stderr": "error: error parsing jsonpath {.a[?(@.b==1]}, unterminated filter",
  "rc": 1
 },
 {
  "mode": "jsonpath",
  "template": "{\"unterminated}",
  "allowMissing": true,
  "stdout": "",
  "stderr": "error: error parsing jsonpath {\"unterminated}, unterminated quoted string",
  "rc": 1
 },
 {
  "mode": "jsonpath",
  "template": "{.a..}",
  "allowMissing": true,
  "stdout": "",
  "stderr": "",
  "rc": 0
 },
 {
  "mode": "jsonpath",
  "template": "{.spec.containers[0].ports[0].containerPort}{.spec.weight}",
  "allowMissing": true,
  "stdout": "801.5",
  "stderr": "",
  "rc": 0
 },
 {
  "mode": "jsonpath",
  "template": "{.spec.containers[?(@.name==\"app\")].ports[?(@.containerPort==443)].containerPort}",
  "allowMissing": true,
  "stdout": "443",
  "stderr": "",
  "rc": 0
 },
 {
  "mode": "jsonpath",
  "template": "{range .status.containerStatuses[?(@.restartCount>0)]}{.name} restarted {.restartCount} times{\"\\n\"}{end}",
  "allowMissing": true,
  "stdout": "log restarted 3 times\n",
  "stderr": "",
  "rc": 0
 }
];

for (const c of cases) {
  test(`${c.mode}=${c.template}${c.allowMissing ? '' : ' --allow-missing-template-keys=false'} prints as kubectl`, () => {
    assert.deepEqual(run(c), { stdout: c.stdout, stderr: c.stderr, rc: c.rc });
  });
}

test('the whole error kubectl prints for a failing template: the object as Go prints it (%#v)', () => {
  const want = "error: error executing jsonpath \"{.spec.containers[5]}\": Error executing template: array index out of bounds: index 5, length 2. Printing more information for debugging the template:\n\ttemplate was:\n\t\t{.spec.containers[5]}\n\tobject given to jsonpath engine was:\n\t\tmap[string]interface {}{\"apiVersion\":\"v1\", \"kind\":\"Pod\", \"metadata\":map[string]interface {}{\"annotations\":map[string]interface {}{\"note\":\"<a & b>\"}, \"labels\":map[string]interface {}{\"app\":\"web\", \"app.kubernetes.io/name\":\"shop\"}, \"name\":\"web-0\", \"namespace\":\"shop\"}, \"spec\":map[string]interface {}{\"big\":1.0000005e+06, \"containers\":[]interface {}{map[string]interface {}{\"image\":\"nginx:1.27\", \"name\":\"app\", \"ports\":[]interface {}{map[string]interface {}{\"containerPort\":80, \"protocol\":\"TCP\"}, map[string]interface {}{\"containerPort\":443}}, \"resources\":map[string]interface {}{\"limits\":map[string]interface {}{\"cpu\":\"500m\"}}}, map[string]interface {}{\"args\":[]interface {}{\"tail\", \"-f\", \"/x\"}, \"image\":\"busybox\", \"name\":\"log\"}}, \"empty\":map[string]interface {}{}, \"enabled\":true, \"none\":[]interface {}{}, \"nothing\":interface {}(nil), \"priority\":0, \"text\":\"héllo\\tworld\", \"tiny\":1e-05, \"weight\":1.5}, \"status\":map[string]interface {}{\"conditions\":[]interface {}{map[string]interface {}{\"status\":\"False\", \"type\":\"Ready\"}, map[string]interface {}{\"status\":\"True\", \"type\":\"PodScheduled\"}, map[string]interface {}{\"status\":\"True\", \"type\":\"Initialized\"}}, \"containerStatuses\":[]interface {}{map[string]interface {}{\"name\":\"app\", \"ready\":true, \"restartCount\":0}, map[string]interface {}{\"name\":\"log\", \"ready\":false, \"restartCount\":3}}, \"phase\":\"Running\", \"podIP\":\"10.88.0.7\"}}\n\n\n";
  const path = new JsonPath('{.spec.containers[5]}');
  assert.throws(() => path.execute(pod), (err: Error) => {
    // peapod's main prints a CliError's message and a newline, as kubectl does.
    assert.equal(`error: ${jsonPathExecMessage(path.template, err, pod)}\n`, want);
    return true;
  });
});

test('Go number, string and value formatting', () => {
  assert.equal(goNumber(1000000.5), '1.0000005e+06');
  assert.equal(goNumber(100000.5), '100000.5');
  assert.equal(goNumber(0.00001), '1e-05');
  assert.equal(goNumber(0.0001), '0.0001');
  assert.equal(goNumber(1e21), '1e+21'); // beyond int64: Go decodes it as a float64
  assert.equal(goNumber(1e21, true), '1e+21');
  assert.equal(goNumber(-3), '-3');
  assert.equal(goQuote('a\x1bb"c\u2028é'), '"a\\x1bb\\"c\\u2028é"');
  assert.equal(goJson({ b: [1, 'x<y'], a: null, c: {} }), '{"a":null,"b":[1,"x\\u003cy"],"c":{}}');
  assert.equal(goJson({ b: [], a: [1] }, '    '), '{\n    "a": [\n        1\n    ],\n    "b": []\n}');
  assert.equal(goSprint({ b: ['x', 1], a: { c: null } }), 'map[a:map[c:<nil>] b:[x 1]]');
  assert.equal(goSharpV({ a: [null, 1.5, 'q'] }), 'map[string]interface {}{"a":[]interface {}{interface {}(nil), 1.5, "q"}}');
});

test('a parsed template runs on many values', () => {
  const path = new JsonPath('{.metadata.name}{"\\n"}');
  assert.equal(path.execute({ metadata: { name: 'a' } }), 'a\n');
  assert.equal(path.execute({ metadata: { name: 'b' } }), 'b\n');
});
