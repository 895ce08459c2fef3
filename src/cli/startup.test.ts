// The CLI's start-up: bin/peapod.js runs the bundle of scripts/build-cli.mjs, and a client command loads
// only what it uses. `get pods` (here against a server that refuses the connection) must load no module
// of dist/src outside the bundle, and none of exec's WebSocket, pull's progress bars, gzip or readline:
// each costs start-up time on every command a person types.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const cliDir = path.dirname(fileURLToPath(import.meta.url));
const bundle = path.join(cliDir, 'peapod.bundle.js');

test('bin/peapod.js runs the bundle, which is newer than the modules it was made from', () => {
  assert.ok(statSync(bundle).mtimeMs >= statSync(path.join(cliDir, 'main.js')).mtimeMs, 'run `npm run build`: the bundle is older than dist/src/cli/main.js');
  const bin = path.resolve(cliDir, '..', '..', '..', 'bin', 'peapod.js');
  const out = execFileSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
  assert.match(out, /^Usage: peapod /);
});

test('get pods loads the bundle and its chunks only: no dist/src module, no ws, cli-progress, zlib or readline', (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'peapod-startup-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const kubeconfig = path.join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    'apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:1\ncontexts:\n- name: c\n  context:\n    cluster: c\n    user: u\ncurrent-context: c\nusers:\n- name: u\n  user:\n    token: t\n',
  );
  const probe = path.join(dir, 'probe.mjs');
  writeFileSync(
    probe,
    `const { main } = await import(${JSON.stringify(new URL(`file://${bundle}`).href)});
const code = await main(['--kubeconfig', ${JSON.stringify(kubeconfig)}, 'get', 'pods']);
const builtins = process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13));
process.stdout.write(JSON.stringify({ code, builtins, cjs: Object.keys((await import('node:module')).createRequire(import.meta.url).cache) }));
`,
  );
  const hook = path.join(dir, 'hook.mjs');
  writeFileSync(hook, `import { register } from 'node:module';\nregister(${JSON.stringify(`data:text/javascript,${encodeURIComponent("export async function load(url, ctx, next) { if (url.startsWith('file:')) process.stderr.write('LOADED ' + url + '\\n'); return next(url, ctx); }")}`)});\n`);
  const r = spawnSync(process.execPath, ['--import', `file://${hook}`, probe], { encoding: 'utf8' });
  const result = JSON.parse(r.stdout) as { code: number; builtins: string[]; cjs: string[] };
  assert.equal(result.code, 1, 'the connection is refused');
  const loaded = r.stderr.split('\n').filter((l) => l.startsWith('LOADED ')).map((l) => fileURLToPath(l.slice(7)));
  const ours = loaded.filter((f) => f !== probe);
  assert.ok(ours.length > 0);
  for (const f of ours) assert.match(path.basename(f), /^(peapod\.bundle|bundle-chunk-[A-Z0-9]+)\.js$/, `${f} was loaded outside the bundle`);
  // (commander requires node:child_process, and with it node:dgram, itself: for subcommands run as programs)
  for (const m of ['zlib', 'readline']) assert.ok(!result.builtins.includes(m), `get pods loaded node:${m}`);
  assert.deepEqual(result.cjs.filter((f) => /node_modules/.test(f)), [], 'no CommonJS module of node_modules is loaded: the bundle holds them');
});

test('run as a program, bin/peapod.js starts serve with node\'s flag and the malloc tunables, and other commands without', (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'peapod-shebang-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // A `node` that says how it was started.
  writeFileSync(path.join(dir, 'node'), '#!/bin/sh\necho "args: $*"\necho "tunables: $GLIBC_TUNABLES"\n', { mode: 0o755 });
  const bin = path.resolve(cliDir, '..', '..', '..', 'bin', 'peapod.js');
  const runAs = (...args: string[]) => execFileSync(bin, args, { encoding: 'utf8', env: { PATH: `${dir}:/usr/bin:/bin`, GLIBC_TUNABLES: 'glibc.pthread.rseq=0' } });
  assert.equal(runAs('--data-dir', '/d', 'serve', '--listen', '127.0.0.1:1'), `args: --max-semi-space-size=4 ${bin} --data-dir /d serve --listen 127.0.0.1:1\ntunables: glibc.pthread.rseq=0:glibc.malloc.mmap_threshold=32768:glibc.malloc.trim_threshold=131072\n`);
  assert.equal(runAs('get', 'pods'), `args: ${bin} get pods\ntunables: glibc.pthread.rseq=0\n`);
});
