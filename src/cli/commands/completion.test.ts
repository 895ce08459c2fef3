import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, chmodSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { FakeClock } from '../../system/clock.js';
import type { CliIO, GlobalOptions } from '../context.js';
import { buildProgram } from '../main.js';
import { ANATOMY_OUTPUTS } from '../printable.js';
import { complete, completionScript, daemonNames, Directive, formatCompletion, OUTPUT_FORMATS, type NameSourceFor } from './completion.js';

const io = (): CliIO => ({ stdout: () => {}, stderr: () => {}, stdin: Readable.from([]), env: {}, clock: new FakeClock() });

/** The CLI's program, with its completion commands. */
function program(): Command {
  return buildProgram(io());
}

/** Names by data dir and namespace, recording the options each source was made for. */
function fakeNames(calls: GlobalOptions[]): NameSourceFor {
  const pods: Record<string, string[]> = { 'default/default': ['web', 'web-2', 'db'], 'default/kube-system': ['coredns'], '/srv/other/default': ['elsewhere'] };
  return (g) => {
    calls.push(g);
    const ns = g.namespace ?? 'default';
    const dir = g.dataDir ?? 'default';
    return {
      namespaces: async () => ['default', 'kube-system', 'shop'],
      names: async (r) =>
        r.resource === 'pods' ? (pods[`${dir}/${ns}`] ?? []) : r.resource === 'persistentvolumes' ? ['pv-a', 'pv-b'] : r.resource === 'configmaps' && ns === 'shop' ? ['settings'] : [],
      containers: async (pod) => (pod === 'web' && ns === 'default' ? ['prepare', 'app', 'sidecar'] : []),
      images: async () => [
        { value: 'localhost/busybox:latest', description: '0123456789ab' },
        { value: 'fedcba987654', description: 'untagged image' },
      ],
    };
  };
}

const root = program();
async function comp(line: string[], calls: GlobalOptions[] = []) {
  const args = line.slice(0, -1);
  const r = await complete(root, args, line[line.length - 1], fakeNames(calls));
  return { values: r.candidates.map((c) => c.value), directive: r.directive, candidates: r.candidates };
}
const values = async (...line: string[]) => (await comp(line)).values;

test('command names: the prefix typed, subcommands, no hidden command', async () => {
  assert.deepEqual(await values('ge'), ['get']);
  assert.deepEqual(await values('image', ''), ['load', 'import', 'pull', 'ls', 'rm', 'prune', 'help']);
  assert.deepEqual(await values('image', 'p'), ['pull', 'prune']);
  assert.deepEqual(await values('runtime', ''), ['ps', 'help']);
  const top = await comp(['']);
  for (const c of ['serve', 'get', 'describe', 'logs', 'exec', 'image', 'runtime', 'completion', 'help']) assert.ok(top.values.includes(c), c);
  assert.ok(!top.values.some((v) => v.startsWith('__')), 'the hidden __complete is not offered');
  assert.deepEqual(await values('__c'), []);
  assert.equal(top.directive, Directive.NoFileComp);
  assert.equal(top.candidates.find((c) => c.value === 'get')?.description, 'list objects');
  assert.deepEqual(await values('help', 'im'), ['image']);
  assert.deepEqual(await values('completion', ''), ['bash', 'zsh', 'fish']);
  // Options before the command do not stop it being found.
  assert.deepEqual(await values('-n', 'shop', '--data-dir', '/d', 'image', 'l'), ['load', 'ls']);
});

test('flags: the command\'s and the global ones, long and short, not repeated once given', async () => {
  const all = await values('get', '-');
  for (const f of ['-A', '--all-namespaces', '-o', '--output', '-l', '--selector', '-w', '--watch', '--no-headers', '-h', '--help', '-n', '--namespace', '--data-dir', '--kubeconfig']) {
    assert.ok(all.includes(f), f);
  }
  assert.ok(!all.includes('--follow'), 'logs\' flags are not get\'s');
  assert.deepEqual(await values('get', '--n'), ['--no-headers', '--namespace']);
  assert.ok((await values('get', '--')).every((f) => f.startsWith('--')), 'only long flags after --');
  assert.deepEqual(await values('logs', 'web', '--f'), ['--follow']);
  assert.deepEqual(await values('logs', 'web', '--follow', '--f'), [], 'given once, not offered again');
  assert.ok(!(await values('get', '-o', 'wide', '-')).includes('--output'));
  assert.ok(!(await values('get', '--output=wide', '-')).includes('-o'));
  assert.ok(!(await values('get', '-A', '-')).includes('-A'));
  assert.deepEqual(await values('serve', '--insecure-registry', 'r1', '--insecure-r'), ['--insecure-registry'], 'a repeatable flag is offered again');
  assert.equal((await comp(['get', '--w'])).candidates[0].description, 'watch for changes after listing (one type only)');
  assert.equal((await comp(['get', '--na'])).candidates[0].description, 'namespace', 'without its (default: ...)');
  assert.equal((await comp(['get', '--n'])).directive, Directive.NoFileComp);
});

test('flag values: -o formats, choices, --flag=value, booleans', async () => {
  assert.deepEqual(await values('get', 'pods', '-o', ''), OUTPUT_FORMATS.get);
  assert.deepEqual(await values('get', '-o', 'j'), ['json', 'jsonpath=', 'jsonpath-as-json=', 'jsonpath-file=']);
  assert.deepEqual(await values('get', '--output=j'), ['--output=json', '--output=jsonpath=', '--output=jsonpath-as-json=', '--output=jsonpath-file=']);
  const jp = await comp(['get', '--output=jsonpath=']);
  assert.deepEqual(jp.values, ['--output=jsonpath=']);
  assert.equal(jp.directive, Directive.NoFileComp | Directive.NoSpace, 'the template follows the =: no space');
  assert.deepEqual(await values('get', '-oya'), ['-oyaml'], 'commander\'s -oVALUE');
  assert.deepEqual(await values('anatomy', 'web', '-o', ''), ANATOMY_OUTPUTS);
  assert.deepEqual(await values('delete', 'pods', '--wait', ''), ['true', 'false']);
  assert.deepEqual(await values('delete', 'pods', '--wait', '-'), (await values('delete', 'pods', '-')).filter((f) => f !== '--wait'), 'a flag is not the optional value');
  assert.deepEqual(await values('logs', 'web', '--tail', ''), []);
  // A value is not taken for a flag: `-o -n` is -o's value.
  assert.ok(!(await values('get', '-o', '-')).includes('--namespace'));
});

test('get\'s -o formats are those its help names, and anatomy\'s its own', () => {
  const get = root.commands.find((c) => c.name() === 'get')!;
  const desc = get.options.find((o) => o.long === '--output')!.description;
  for (const f of OUTPUT_FORMATS.get) assert.ok(desc.includes(f), `${f} in "${desc}"`);
  assert.deepEqual(OUTPUT_FORMATS.anatomy, ANATOMY_OUTPUTS);
});

test('files and directories: the directive for the shell, no candidates', async () => {
  assert.deepEqual(await comp(['--kubeconfig', '']), { values: [], directive: Directive.Default, candidates: [] });
  assert.equal((await comp(['--kubeconfig=/etc/'])).directive, Directive.Default);
  assert.equal((await comp(['get', 'pods', '--data-dir', ''])).directive, Directive.FilterDirs);
  assert.equal((await comp(['--data-dir=/v'])).directive, Directive.FilterDirs);
  assert.equal((await comp(['apply', '-f', ''])).directive, Directive.Default);
  assert.equal((await comp(['delete', '--filename', 'x'])).directive, Directive.Default);
  assert.equal((await comp(['image', 'load', '-i', ''])).directive, Directive.Default);
  assert.equal((await comp(['image', 'import', ''])).directive, Directive.Default);
  assert.equal((await comp(['image', 'import', 'rootfs.tar', ''])).directive, Directive.NoFileComp, 'the name is not a file');
  assert.equal((await comp(['serve', '--tls-cert-file', ''])).directive, Directive.Default);
  assert.equal((await comp(['serve', '--pod-manifest-path', ''])).directive, Directive.FilterDirs);
  assert.equal((await comp(['exec', 'web', '--', ''])).directive, Directive.NoFileComp);
});

test('resource types: plural and short names; describe\'s four; comma lists; TYPE/', async () => {
  const types = await comp(['get', '']);
  for (const t of ['pods', 'po', 'persistentvolumeclaims', 'pvc', 'pv', 'storageclasses', 'sc', 'namespaces', 'ns', 'configmaps', 'cm', 'nodes', 'events', 'secrets', 'services', 'svc', 'crd']) {
    assert.ok(types.values.includes(t), t);
  }
  assert.ok(!types.values.includes('pod'), 'not singular names');
  assert.equal(types.candidates.find((c) => c.value === 'pvc')?.description, 'PersistentVolumeClaim');
  assert.deepEqual(await values('get', 'po'), ['pods', 'po']);
  assert.deepEqual((await values('describe', '')).sort(), ['persistentvolumeclaims', 'persistentvolumes', 'pods', 'po', 'pv', 'pvc', 'sc', 'storageclasses'].sort());
  assert.deepEqual(await values('delete', 'c'), ['configmaps', 'cm', 'customresourcedefinitions', 'crd', 'crds']);
  assert.deepEqual(await values('get', 'pv,p'), ['pv,pods', 'pv,po', 'pv,persistentvolumes', 'pv,persistentvolumeclaims', 'pv,pvc'], 'pv is not offered again');
  // After TYPE/NAME, more TYPE/ words.
  const next = await comp(['get', 'pods/web', 'p']);
  assert.ok(next.values.includes('pvc/') && next.values.includes('pods/'));
  assert.equal(next.directive & Directive.NoSpace, Directive.NoSpace);
});

test('names from the source: pods in the line\'s namespace and data dir, TYPE/NAME, other types', async () => {
  const calls: GlobalOptions[] = [];
  assert.deepEqual((await comp(['get', 'pods', ''], calls)).values, ['web', 'web-2', 'db']);
  assert.deepEqual(calls, [{}], 'nothing on the line: the context\'s namespace');
  assert.deepEqual(await values('get', 'pods', 'w'), ['web', 'web-2']);
  assert.deepEqual(await values('get', 'pods', 'web', ''), ['web-2', 'db'], 'names given are not offered again');
  assert.deepEqual(await values('get', 'po', '-n', 'kube-system', ''), ['coredns']);
  assert.deepEqual(await values('-n', 'kube-system', 'get', 'pods', ''), ['coredns']);
  assert.deepEqual(await values('get', '--namespace=kube-system', 'pods', ''), ['coredns']);
  assert.deepEqual(await values('get', 'pods', '-nkube-system', ''), ['coredns']);
  calls.length = 0;
  assert.deepEqual((await comp(['--data-dir', '/srv/other', 'logs', ''], calls)).values, ['elsewhere']);
  assert.deepEqual(calls, [{ dataDir: '/srv/other' }]);
  calls.length = 0;
  await comp(['--kubeconfig', '/k/config', '-n', 'shop', 'get', 'pods', ''], calls);
  assert.deepEqual(calls, [{ namespace: 'shop', kubeconfig: '/k/config' }]);
  assert.deepEqual(await values('get', 'pods/w'), ['pods/web', 'pods/web-2']);
  assert.deepEqual(await values('get', 'pods/web', 'pods/'), ['pods/web-2', 'pods/db']);
  assert.deepEqual(await values('get', 'pv', ''), ['pv-a', 'pv-b']);
  assert.deepEqual(await values('describe', 'pvc,pv', ''), ['pv-a', 'pv-b']);
  assert.deepEqual(await values('delete', 'cm', '-n', 'shop', ''), ['settings']);
  assert.deepEqual(await values('get', 'nosuchtype', ''), []);
  assert.deepEqual(await values('get', 'nosuchtype/'), []);
});

test('pods, containers and images where a command takes them', async () => {
  for (const c of ['logs', 'exec', 'attach', 'anatomy', 'port-forward', 'debug']) assert.deepEqual(await values(c, ''), ['web', 'web-2', 'db'], c);
  assert.deepEqual(await values('exec', '-it', ''), ['web', 'web-2', 'db'], 'after combined flags');
  assert.deepEqual(await values('logs', 'web', '-c', ''), ['prepare', 'app', 'sidecar']);
  assert.deepEqual(await values('exec', '-c', ''), [], 'no pod named yet');
  assert.deepEqual(await values('exec', '-i', 'web', '--container=s'), ['--container=sidecar']);
  assert.deepEqual(await values('attach', 'web', '-c', 'a'), ['app']);
  assert.deepEqual(await values('debug', 'web', '--target', ''), ['prepare', 'app', 'sidecar']);
  assert.deepEqual(await values('debug', 'web', '-c', ''), [], 'debug -c names a new container');
  assert.deepEqual(await values('logs', 'web', '-n', 'kube-system', '-c', ''), [], 'the pod of the line\'s namespace');
  assert.deepEqual(await values('exec', 'web', ''), [], 'the command in the container');
  const images = await comp(['image', 'rm', '']);
  assert.deepEqual(images.values, ['localhost/busybox:latest', 'fedcba987654']);
  assert.equal(images.candidates[0].description, '0123456789ab');
  assert.deepEqual(await values('image', 'rm', 'localhost/busybox:latest', ''), ['fedcba987654']);
  assert.deepEqual(await values('image', 'rm', 'localhost/busybox:l'), ['localhost/busybox:latest']);
  assert.deepEqual(await values('debug', 'web', '--image', 'lo'), ['localhost/busybox:latest']);
  assert.deepEqual(await values('image', 'pull', ''), []);
});

test('the output: a candidate a line with its description after a tab, then :directive', () => {
  assert.equal(formatCompletion({ candidates: [{ value: 'get', description: 'list objects' }, { value: 'po' }], directive: 4 }), 'get\tlist objects\npo\n:4\n');
  assert.equal(formatCompletion({ candidates: [], directive: 0 }), ':0\n');
});

test('an unreachable daemon gives no names, quickly and silently', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'peapod-compl-'));
  // A server that accepts and never answers: the lookup gives up at its timeout.
  const sockets: net.Socket[] = [];
  const server = net.createServer((s) => sockets.push(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const kubeconfig = (server: string) => `apiVersion: v1
kind: Config
current-context: c
contexts: [{name: c, context: {cluster: k, user: u}}]
clusters: [{name: k, cluster: {server: "${server}", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: t}}]
`;
  writeFileSync(path.join(dir, 'silent'), kubeconfig(`https://127.0.0.1:${port}`));
  writeFileSync(path.join(dir, 'refused'), kubeconfig('https://127.0.0.1:1'));
  const errs: string[] = [];
  const x: CliIO = { ...io(), stderr: (t) => errs.push(t) };
  try {
    const source = (g: GlobalOptions) => daemonNames(x, g, 300);
    for (const [line, most] of [
      [['--kubeconfig', path.join(dir, 'silent'), 'get', 'pods', ''], 1500],
      [['--kubeconfig', path.join(dir, 'refused'), 'logs', ''], 1500],
      [['--data-dir', path.join(dir, 'nothing-here'), '-n', ''], 1500],
      [['--kubeconfig', path.join(dir, 'silent'), 'image', 'rm', ''], 1500],
    ] as const) {
      const t0 = Date.now();
      const r = await complete(root, line.slice(0, -1), '', source);
      assert.deepEqual(r, { candidates: [], directive: Directive.NoFileComp }, line.join(' '));
      assert.ok(Date.now() - t0 < most, `${line.join(' ')} took ${Date.now() - t0} ms`);
    }
    assert.deepEqual(errs, []);
  } finally {
    for (const s of sockets) s.destroy();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

// ---------------------------------------------------------------------------------------------
// The bash script, run by bash against this build's CLI (no daemon: commands, flags, values).

const BUILD = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** A directory holding `peapod`: this build's CLI (main()). */
function cliDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'peapod-compl-bin-'));
  writeFileSync(
    path.join(dir, 'entry.mjs'),
    `const { main } = await import(${JSON.stringify(path.join(BUILD, 'src/cli/main.js'))});
const { SystemClock } = await import(${JSON.stringify(path.join(BUILD, 'src/system/clock.js'))});
const io = { stdout: (t) => void process.stdout.write(t), stderr: (t) => void process.stderr.write(t), stdin: process.stdin, env: process.env, clock: new SystemClock() };
const code = await main(process.argv.slice(2), io);
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
`,
  );
  writeFileSync(path.join(dir, 'peapod'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(path.join(dir, 'entry.mjs'))} "$@"\n`);
  chmodSync(path.join(dir, 'peapod'), 0o755);
  return dir;
}

function run(file: string, args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<{ code: number; out: string; err: string; fd3: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env, stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let fd3 = '';
    child.stdout!.on('data', (b) => (out += b));
    child.stderr!.on('data', (b) => (err += b));
    (child.stdio[3] as Readable).on('data', (b) => (fd3 += b));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, out, err, fd3 }));
    child.stdin!.end(input ?? '');
  });
}

/** COMP_WORDS as bash makes them: words at blanks, and runs of COMP_WORDBREAKS' = and : as words of their own. */
function compWords(line: string): string[] {
  const words: string[] = [];
  for (const w of line.split(/[ \t]+/)) words.push(...(w.match(/[=:]+|[^=:]+/g) ?? ['']));
  if (words[0] === '') words.shift();
  return words;
}

test('bash: the script completes through the real CLI, as bash calls it (COMP_WORDS, COMP_LINE, COMP_POINT)', { timeout: 120_000 }, async () => {
  const dir = cliDir();
  const env = { PATH: `${dir}:${process.env.PATH}`, HOME: dir, LANG: 'C' };
  try {
    const script = await run('peapod', ['completion', 'bash'], env);
    assert.equal(script.code, 0, script.err);
    assert.equal(script.out, completionScript('bash', 'peapod'));
    writeFileSync(path.join(dir, 'completion.bash'), script.out);

    const complete = async (line: string, point = line.length) => {
      const words = compWords(line.slice(0, point));
      const body = `source ${JSON.stringify(path.join(dir, 'completion.bash'))} || exit 9
complete -p peapod >&3
compopt() { echo "compopt $*" >&3; }
COMP_LINE=$1 COMP_POINT=$2 COMP_CWORD=$3
COMP_WORDS=("\${@:4}")
__peapod_complete
printf '%s\\n' "\${#COMPREPLY[@]}" "\${COMPREPLY[@]}"`;
      const r = await run('bash', ['--norc', '--noprofile', '-c', body, 'bash', line, String(point), String(words.length - 1), ...words], env);
      assert.equal(r.code, 0, r.err);
      assert.equal(r.err, '', 'nothing on the terminal');
      assert.match(r.fd3, /^complete -o default -F __peapod_complete peapod$/m);
      const [count, ...reply] = r.out.split('\n').slice(0, -1);
      assert.equal(reply.length, Number(count), r.out);
      return { reply, opts: r.fd3.split('\n').filter((l) => l.startsWith('compopt')) };
    };

    assert.deepEqual((await complete('peapod ge')).reply, ['get']);
    assert.deepEqual((await complete('peapod image ')).reply, ['load', 'import', 'pull', 'ls', 'rm', 'prune', 'help']);
    assert.deepEqual((await complete('peapod image p')).reply, ['pull', 'prune']);
    assert.deepEqual((await complete('peapod get --all-n')).reply, ['--all-namespaces']);
    assert.deepEqual((await complete('peapod get --all')).reply, ['--all-namespaces', '--allow-missing-template-keys']);
    assert.deepEqual((await complete('peapod get -n shop --no')).reply, ['--no-headers']);
    assert.deepEqual((await complete('peapod get po')).reply, ['pods', 'po']);
    assert.deepEqual((await complete('peapod get pv,pvc,s')).reply, ['secrets', 'serviceaccounts', 'sa', 'storageclasses', 'sc', 'services', 'svc'].map((t) => `pv,pvc,${t}`));
    // -o's values; after --output= bash replaces only what follows the =.
    assert.deepEqual((await complete('peapod get pods -o ya')).reply, ['yaml']);
    assert.deepEqual((await complete('peapod get pods --output=js')).reply, ['json', 'jsonpath=', 'jsonpath-as-json=', 'jsonpath-file=']);
    const jp = await complete('peapod get pods --output=jsonpath=');
    assert.deepEqual(jp.reply, ['']);
    assert.ok(jp.opts.includes('compopt -o nospace'), JSON.stringify(jp.opts));
    assert.deepEqual((await complete('peapod anatomy web -o s')).reply, ['svg']);
    // The cursor in the middle of the line: what follows it is not read.
    assert.deepEqual((await complete('peapod ge pods -n shop', 'peapod ge'.length)).reply, ['get']);
    // No files where none fit: the default (file names) is turned off.
    const none = await complete('peapod get pods -l ');
    assert.deepEqual(none.reply, []);
    assert.ok(none.opts.includes('compopt +o default'), JSON.stringify(none.opts));
    // Files: no reply and no compopt, so `complete -o default` completes file names.
    for (const line of ['peapod --kubeconfig ', 'peapod --kubeconfig=/et', 'peapod apply -f ./x']) {
      assert.deepEqual(await complete(line), { reply: [], opts: [] }, line);
    }
    // Directories only for --data-dir: bash's own directory names.
    mkdirSync(path.join(dir, 'data-one'));
    mkdirSync(path.join(dir, 'data-two'));
    writeFileSync(path.join(dir, 'data-file'), '');
    const dirs = await complete(`peapod --data-dir=${dir}/data`);
    assert.deepEqual(dirs.reply.sort(), [`${dir}/data-one`, `${dir}/data-two`]);
    assert.ok(dirs.opts.includes('compopt -o filenames'));
    // Completion of the shell argument and the script's own command.
    assert.deepEqual((await complete('peapod completion ')).reply, ['bash', 'zsh', 'fish']);
    assert.deepEqual((await complete('peapod __comp')).reply, []);
    // No daemon there: no names, no noise.
    const pods = await complete(`peapod --data-dir ${dir}/data-one get pods `);
    assert.deepEqual(pods.reply, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bash: TAB in an interactive bash (readline, its own COMP_WORDS) completes through the real CLI', { timeout: 120_000 }, async () => {
  const dir = cliDir();
  const env = { PATH: `${dir}:${process.env.PATH}`, HOME: dir, LANG: 'C', PS1: '$ ', TERM: 'dumb', INPUTRC: '/dev/null' };
  mkdirSync(path.join(dir, 'kube'));
  writeFileSync(path.join(dir, 'kube', 'config-a'), '');
  writeFileSync(path.join(dir, 'kube', 'config-b'), '');
  const child = spawn('script', ['-qfec', 'bash --norc --noprofile -i', '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let screen = '';
  child.stdout.on('data', (b) => (screen += b.toString()));
  const waitFor = async (re: RegExp, what: string) => {
    const deadline = Date.now() + 15_000;
    while (!re.test(screen)) {
      if (Date.now() > deadline) assert.fail(`${what}: ${JSON.stringify(screen.slice(-600))}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  try {
    child.stdin.write(`bind 'set bell-style none'; bind 'set show-all-if-ambiguous on'; source <(peapod completion bash); echo READY\n`);
    await waitFor(/^READY/m, 'the script loads');
    const tab = async (typed: string, expect: RegExp) => {
      screen = '';
      child.stdin.write(`${typed}\t`);
      await waitFor(expect, typed);
      child.stdin.write('\x15'); // ^U: clear the line
      await new Promise((r) => setTimeout(r, 100));
    };
    await tab('peapod ge', /peapod get $/);
    await tab('peapod image p', /prune\s+pull/);
    await tab('peapod get pods --output=jsonp', /jsonpath-file=\s+jsonpath=/);
    await tab('peapod get pods --output=yam', /--output=yaml $/);
    await tab(`peapod --kubeconfig=${dir}/kube/config-`, /config-a\s+config-b/);
    await tab(`peapod --data-dir ${dir}/ku`, new RegExp(`--data-dir ${dir}/kube/$`));
  } finally {
    const closed = new Promise((r) => child.on('close', r));
    const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.stdin.end('\x15exit\n');
    await closed;
    clearTimeout(kill);
    rmSync(dir, { recursive: true, force: true });
  }
});
