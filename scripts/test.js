#!/usr/bin/env node
// The test command the README gives and CI runs (`npm test` builds first, then runs this):
// 1. unit tests (no root, no network), then
// 2. root integration tests (real namespaces, runc, CNI, overlayfs), then
// 3. end-to-end tests (the real kubectl against a real daemon), then
// 4. the soak and fault suite in its short form (test/soak; `npm run soak` runs it in full: PEAPOD_SOAK=full).
// Stages 2 and 3 are skipped with a message when not root. Their files run one at a time: each suite makes
// its own daemon, data dir, bridge and subnet, and removes them even when it fails.
// Usage: node scripts/test.js [unit|integration|e2e|soak] [file filter]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const dist = path.join(root, 'dist');

function find(dir) {
  if (!fs.existsSync(dir)) return [];
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...find(p));
    else if (p.endsWith('.test.js')) out.push(p);
  }
  return out.sort();
}

function runStage(files) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--test', '--test-reporter=spec', '--test-concurrency=1', ...files], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, PEAPOD_LOG_LEVEL: process.env.PEAPOD_LOG_LEVEL ?? 'warn' },
    });
    let text = '';
    child.stdout.on('data', (b) => {
      process.stdout.write(b);
      text += b.toString();
      if (text.length > 1 << 20) text = text.slice(-65536);
    });
    child.on('close', (code) => {
      const count = (label) => Number(new RegExp(`^ℹ ${label} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
      resolve({ code, pass: count('pass'), fail: count('fail'), skipped: count('skipped') + count('todo') });
    });
  });
}

const [only, filter] = process.argv.slice(2);
const stages = [
  ['unit', [...find(path.join(dist, 'src')), ...find(path.join(dist, 'bench'))]],
  ['integration', find(path.join(dist, 'test', 'integration'))],
  ['e2e', find(path.join(dist, 'test', 'e2e'))],
  ['soak', find(path.join(dist, 'test', 'soak'))],
];
const figuresFile = process.env.PEAPOD_SOAK_FIGURES ?? '/tmp/peapod-soak-figures.jsonl';
// A run that includes the soak stage starts a fresh figures file (other stages leave it alone).
if (!only || only === 'all' || only === 'soak') fs.rmSync(figuresFile, { force: true });
const total = { pass: 0, fail: 0, skipped: 0 };
let failed = false;
for (const [name, all] of stages) {
  if (only && only !== 'all' && only !== name) continue;
  const files = filter ? all.filter((f) => f.includes(filter)) : all;
  if (files.length === 0) continue;
  if (name !== 'unit' && process.getuid?.() !== 0) {
    console.log(`# ${name}: skipped, its ${files.length} suites need root (run the tests as root)`);
    total.skipped += files.length;
    continue;
  }
  console.log(`\n# ${name}: ${files.length} files`);
  const r = await runStage(files);
  total.pass += r.pass;
  total.fail += r.fail;
  total.skipped += r.skipped;
  if (r.code !== 0) {
    failed = true;
    if (r.fail === 0) total.fail += 1; // the runner itself failed (a crash outside any test)
  }
}
if (fs.existsSync(figuresFile)) {
  console.log('\n# soak figures');
  for (const line of fs.readFileSync(figuresFile, 'utf8').split('\n').filter(Boolean)) {
    const f = JSON.parse(line);
    console.log(`${f.case}: ${f.name} = ${f.value}${f.unit ? ' ' + f.unit : ''}`);
  }
}
console.log(`\npeapod: ${total.pass} passed, ${total.fail} failed, ${total.skipped} skipped`);
process.exit(failed ? 1 : 0);
