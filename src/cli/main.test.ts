import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { FakeClock } from '../system/clock.js';
import type { Command } from 'commander';
import { buildProgram, COMMAND_GROUPS, main, normalizeBooleanFlags, parseDurationMs } from './main.js';
import { shellQuote, startDaemonCommand } from './context.js';
import { execFileSync } from 'node:child_process';
import type { CliIO } from './context.js';
import { kubeconfigPathFor, parseKubeconfig } from './kubeconfig.js';
import { deleteBody } from './commands/delete.js';
import { chooseContainer } from './commands/logs.js';
import { parseManifests } from './manifests.js';
import { findResource, resourcePath } from './resources.js';
import { errorFromResponse } from './client.js';
import { formatImages, formatPrune, splitRepoTag } from './commands/image.js';
import { formatRuntimePs, type RuntimePs } from './commands/runtime-ps.js';
import type { Pod } from '../k8s/types.js';

function io(env: NodeJS.ProcessEnv = {}): CliIO & { out: string[]; errs: string[] } {
  const out: string[] = [];
  const errs: string[] = [];
  return { out, errs, stdout: (t) => out.push(t), stderr: (t) => errs.push(t), stdin: Readable.from([]), env, clock: new FakeClock() };
}

/** Every visible command, as a path of names (`image pull`), from the program's own tree. */
function visibleCommands(): string[] {
  const walk = (c: Command, prefix: string[]): string[][] =>
    c.commands.filter((x) => !(x as unknown as { _hidden?: boolean })._hidden).flatMap((x) => [[...prefix, x.name()], ...walk(x, [...prefix, x.name()])]);
  return walk(buildProgram(io()), []).map((p) => p.join(' '));
}

for (const c of visibleCommands()) {
  test(`\`${c} --help\` prints usage, then examples of it to type, and exits 0`, async () => {
    const x = io();
    assert.equal(await main([...c.split(' '), '--help'], x), 0);
    const text = x.out.join('');
    assert.match(text, new RegExp(`^Usage: peapod ${c}[ |]`));
    const ex = text.slice(text.lastIndexOf('\nExamples:\n') + 1);
    assert.ok(text.includes('\nExamples:\n'), `${c} --help has no examples`);
    const lines = ex.split('\n').slice(1).filter(Boolean);
    assert.ok(lines.length > 0);
    // Each example runs the command it documents (or a pipeline feeding it).
    assert.ok(lines.some((l) => new RegExp(`peapod( -{1,2}[\\w-]+(=| )\\S+)* ${c}\\b`).test(l)), `${c}: ${lines.join(' | ')}`);
  });
}

test('`peapod` alone shows the daily commands first, then every other command once, and where to start', async () => {
  const x = io();
  assert.equal(await main([], x), 0);
  const text = x.out.join('');
  assert.match(text, /^peapod: .*\n\nDaily commands \(kubectl's habits\):\n  get /);
  const top = buildProgram(io()).commands.filter((c) => !(c as unknown as { _hidden?: boolean })._hidden).map((c) => c.name());
  assert.deepEqual([...COMMAND_GROUPS.flatMap(([, names]) => names)].sort(), [...top].sort(), 'each visible command is in one group');
  for (const name of top) assert.equal(text.split('\n').filter((l) => new RegExp(`^  ${name}( |$)`).test(l)).length, 1, name);
  assert.ok(text.indexOf('  get ') < text.indexOf('  serve '), 'daily commands before the host\'s');
  assert.ok(text.includes(`Start here:\n  ${startDaemonCommand(undefined, process.getuid?.() === 0)} `), text);
});

test('an unknown command exits non-zero with an error', async () => {
  const x = io();
  assert.notEqual(await main(['frobnicate'], x), 0);
  assert.match(x.errs.join(''), /unknown command 'frobnicate'/);
});

test('an unsupported -o value is refused before any request', async () => {
  const x = io();
  assert.equal(await main(['get', 'pods', '-o', 'xml'], x), 1);
  assert.match(x.errs.join(''), /^error: unable to match a printer suitable for the output format "xml", allowed formats are: .*json/);
});

test('a missing kubeconfig names the file and what to do: start the daemon, or save one with `peapod kubeconfig`', async () => {
  const x = io();
  assert.equal(await main(['get', 'pods', '--data-dir', '/nonexistent/peapod-cli-test'], x), 1);
  assert.equal(
    x.errs.join(''),
    `error: no kubeconfig at /nonexistent/peapod-cli-test/kubeconfig: the daemon writes it when it starts. Start it with \`${startDaemonCommand('/nonexistent/peapod-cli-test', process.getuid?.() === 0)}\` (or \`bash scripts/setup-and-run.sh\`), or pass --kubeconfig\n`,
  );
  const y = io({ KUBECONFIG: '/nonexistent/kc' });
  assert.equal(await main(['get', 'pods'], y), 1);
  assert.equal(y.errs.join(''), 'error: no kubeconfig at /nonexistent/kc ($KUBECONFIG): save a daemon\'s there with `sudo peapod [--data-dir DIR] kubeconfig > /nonexistent/kc`, or mint one for a user with `sudo peapod kubeconfig --user NAME`\n');
});

test('the command that starts the daemon pastes: as root as is, else through sudo with the redirection in root\'s shell; odd dirs quoted', () => {
  assert.equal(startDaemonCommand(undefined, true), 'setsid peapod serve >> /var/log/peapod.log 2>&1 < /dev/null &');
  assert.equal(startDaemonCommand("/srv/my pods/it's", false), `sudo sh -c 'setsid peapod --data-dir '\\''/srv/my pods/it'\\''\\'\\'''\\''s'\\'' serve >> /var/log/peapod.log 2>&1 < /dev/null &'`);
  const out = execFileSync('sh', ['-c', `printf '%s\\n' ${shellQuote(startDaemonCommand("/srv/my pods/it's", true))}`], { encoding: 'utf8' });
  assert.equal(out, "setsid peapod --data-dir '/srv/my pods/it'\\''s' serve >> /var/log/peapod.log 2>&1 < /dev/null &\n");
});

test('$KUBECONFIG: its first file that exists, as kubectl skips missing ones', () => {
  assert.equal(kubeconfigPathFor({}, { KUBECONFIG: `/nonexistent/a:${process.execPath}` }), process.execPath);
  assert.equal(kubeconfigPathFor({}, { KUBECONFIG: '/nonexistent/a:/nonexistent/b' }), '/nonexistent/a');
});

test('a daemon that refuses the connection: kubectl\'s line, then what starts it; -v 1 names the daemon first', async (t) => {
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { createServer } = await import('node:net');
  const os = await import('node:os');
  const path = await import('node:path');
  // A port nothing listens on: bound, then closed.
  const port = await new Promise<number>((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const p = (srv.address() as { port: number }).port;
      srv.close(() => resolve(p));
    });
  });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'peapod-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    path.join(dir, 'kubeconfig'),
    `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: "https://127.0.0.1:${port}"}\ncontexts:\n- name: ctx\n  context: {cluster: c, user: u, namespace: shop}\ncurrent-context: ctx\nusers:\n- name: u\n  user: {token: t}\n`,
  );
  const x = io();
  assert.equal(await main(['-v', '1', '--data-dir', dir, 'get', 'pods'], x), 1);
  assert.deepEqual(x.errs.join('').split('\n'), [
    `peapod: https://127.0.0.1:${port} (context ctx, user u, namespace shop) from kubeconfig ${dir}/kubeconfig (--data-dir ${dir})`,
    `The connection to the server 127.0.0.1:${port} was refused - did you specify the right host or port?`,
    `Is the daemon running? Start it with \`${startDaemonCommand(dir, process.getuid?.() === 0)}\``,
    '',
  ]);
  const y = io();
  assert.equal(await main(['version', '--kubeconfig', `${dir}/kubeconfig`], y), 1);
  assert.match(y.out.join(''), /^Client Version: peapod \d+\.\d+\.\d+ \(Node\.js v\d+/);
  assert.match(y.out.join(''), new RegExp(`\\nServer: https://127.0.0.1:${port} \\(kubeconfig ${dir}/kubeconfig, from --kubeconfig\\)\\n$`));
  assert.match(y.errs.join(''), new RegExp(`Is the daemon of ${dir}/kubeconfig \\(--kubeconfig\\) running\\?`));
  const z = io();
  assert.equal(await main(['version', '--client', '--kubeconfig', `${dir}/kubeconfig`], z), 0, '--client asks no daemon');
  assert.deepEqual(z.errs, []);
});

test('-v takes kubectl\'s forms and refuses a non-level', async () => {
  for (const form of [['-v', '6'], ['-v6'], ['-v=6'], ['--v=6']]) {
    const x = io();
    assert.equal(await main([...form, 'version', '--client'], x), 0, form.join(' '));
  }
  const x = io();
  assert.equal(await main(['-v', 'loud', 'version', '--client'], x), 1);
  assert.match(x.errs.join(''), /invalid argument "loud" for "-v, --v" flag/);
});

test('the kubeconfig comes from the flag, then $KUBECONFIG, then the data dir', () => {
  assert.equal(kubeconfigPathFor({ kubeconfig: '/a', dataDir: '/d' }, { KUBECONFIG: '/b' }), '/a');
  assert.equal(kubeconfigPathFor({ dataDir: '/d' }, { KUBECONFIG: ':/b:/c' }), '/d/kubeconfig', 'a --data-dir given wins over $KUBECONFIG');
  assert.equal(kubeconfigPathFor({}, { KUBECONFIG: ':/b:/c' }), '/b');
  assert.equal(kubeconfigPathFor({ dataDir: '/d' }, {}), '/d/kubeconfig');
  assert.equal(kubeconfigPathFor({}, {}), '/var/lib/peapod/kubeconfig');
});

test('reads the current context\'s server, namespace and token', () => {
  const cfg = parseKubeconfig(`apiVersion: v1
kind: Config
clusters:
- name: engine
  cluster: {server: "https://127.0.0.1:6443/", insecure-skip-tls-verify: true}
users:
- name: admin
  user: {token: s3cret}
contexts:
- {name: other, context: {cluster: engine, user: admin, namespace: kube-system}}
- {name: engine, context: {cluster: engine, user: admin}}
current-context: engine
`);
  assert.deepEqual(
    { server: cfg.server, namespace: cfg.namespace, token: cfg.token, insecure: cfg.insecureSkipTlsVerify },
    { server: 'https://127.0.0.1:6443', namespace: 'default', token: 's3cret', insecure: true },
  );
});

test('a Status error reads like kubectl\'s', () => {
  const e = errorFromResponse(404, JSON.stringify({ kind: 'Status', reason: 'NotFound', message: 'pods "x" not found', code: 404 }));
  assert.equal(e.message, 'Error from server (NotFound): pods "x" not found');
});

test('resource names accept plural, singular, short and kind forms', () => {
  for (const n of ['pods', 'pod', 'po', 'Pod']) assert.equal(findResource(n).resource, 'pods');
  assert.equal(findResource('cm').resource, 'configmaps');
  assert.equal(resourcePath(findResource('pods'), 'ns1', 'web', 'log'), '/api/v1/namespaces/ns1/pods/web/log');
  assert.equal(resourcePath(findResource('pods'), undefined), '/api/v1/pods');
  assert.equal(resourcePath(findResource('nodes'), 'ignored', 'n1'), '/api/v1/nodes/n1');
  assert.throws(() => findResource('deployments'), /doesn't have a resource type "deployments"/);
});

test('--force sends grace 0 and --grace-period its value', () => {
  assert.deepEqual(deleteBody({}), { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' });
  assert.equal(deleteBody({ force: true }).gracePeriodSeconds, 0);
  assert.equal(deleteBody({ gracePeriod: 5 }).gracePeriodSeconds, 5);
  assert.equal(deleteBody({ gracePeriod: -1 }).gracePeriodSeconds, undefined);
});

test('logs picks -c, else the default-container annotation, else the first with a notice', () => {
  const pod = { metadata: { name: 'p', annotations: {} }, spec: { containers: [{ name: 'a' }, { name: 'b' }] } } as unknown as Pod;
  assert.deepEqual(chooseContainer(pod, 'b'), { name: 'b' });
  assert.deepEqual(chooseContainer(pod, undefined), { name: 'a', notice: 'Defaulted container "a" out of: a, b' });
  pod.metadata.annotations = { 'kubectl.kubernetes.io/default-container': 'b' };
  assert.deepEqual(chooseContainer(pod, undefined), { name: 'b' });
});

test('manifests: multi-document YAML, JSON and List items; empty documents skipped', () => {
  const objs = parseManifests('---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n---\n{"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"}}]}\n', 'f.yaml');
  assert.deepEqual(objs.map((o) => `${o.kind}/${o.metadata.name}`), ['ConfigMap/a', 'Pod/p']);
  assert.throws(() => parseManifests('metadata: {name: a}\n', 'f.yaml'), /apiVersion and kind must be set/);
});

// docker's tabwriter has a minimum cell width of 10, hence TAG's extra spaces.
test('image ls prints docker-style rows, one per tag, with a short manifest digest', () => {
  const now = Date.parse('2026-01-01T02:00:00Z');
  const base = { size: 4_261_234, createdAt: now - 2 * 3600_000, config: {} as never, layers: [] };
  const text = formatImages([
    { ...base, id: 'sha256:0123456789abcdef', repoTags: ['localhost/busybox:latest', 'docker.io/library/busybox:1.36'], repoDigests: [] },
    { ...base, id: 'sha256:fedcba9876543210', createdAt: now - 3 * 3600_000, repoTags: ['docker.io/library/nginx:1.27'], repoDigests: ['docker.io/library/nginx@sha256:99887766554433221100'] },
  ], now);
  assert.equal(text, [
    'REPOSITORY                  TAG       DIGEST         IMAGE ID       CREATED       SIZE',
    'localhost/busybox           latest    <none>         0123456789ab   2 hours ago   4.26MB',
    'docker.io/library/busybox   1.36      <none>         0123456789ab   2 hours ago   4.26MB',
    'docker.io/library/nginx     1.27      998877665544   fedcba987654   3 hours ago   4.26MB',
  ].join('\n'));
  assert.deepEqual(splitRepoTag('127.0.0.1:5000/x'), ['127.0.0.1:5000/x', '<none>']);
});

test('image prune prints docker\'s report', () => {
  assert.equal(formatPrune(['sha256:aa', 'sha256:bb'], 12_345_678), 'Deleted Images:\ndeleted: sha256:aa\ndeleted: sha256:bb\n\nTotal reclaimed space: 12.3MB');
  assert.equal(formatPrune([], 0), 'Total reclaimed space: 0B');
});

test('image prune without -f asks first; no answer cancels before any request', async () => {
  const x = io();
  assert.equal(await main(['image', 'prune', '--kubeconfig', '/nonexistent/kubeconfig'], x), 1);
  assert.match(x.out.join(''), /^WARNING! This will remove all dangling images\.\nAre you sure you want to continue\? \[y\/N\] $/);
  assert.match(x.errs.join(''), /^error: image prune has been cancelled/);
});

test('image pull --creds without a colon is refused before any request', async () => {
  const x = io();
  assert.equal(await main(['image', 'pull', 'nginx', '--creds', 'alice', '--kubeconfig', '/nonexistent/kubeconfig'], x), 1);
  assert.match(x.errs.join(''), /^error: --creds must be USERNAME:PASSWORD/);
});

test('runtime ps groups by pod, infra first, and tells held from joined namespaces', () => {
  const ns = (net: string, pid: string) => ({ net: `net:[${net}]`, ipc: 'ipc:[1]', uts: 'uts:[2]', pid: `pid:[${pid}]` });
  const meta = { name: 'web', namespace: 'default', uid: 'u', attempt: 0 };
  const ps: RuntimePs = {
    sandboxes: [{ id: 'sbx0123456789abcdef', metadata: meta, state: 'ready', createdAt: 1, ip: '10.88.0.5', additionalIps: [], pid: 100, hostNetwork: false, labels: {}, annotations: {}, namespaces: ns('9', '10') }],
    containers: [{
      id: 'ctr0123456789abcdef', sandboxId: 'sbx0123456789abcdef', metadata: { name: 'app', attempt: 0 }, state: 'running', createdAt: 2, startedAt: 2, finishedAt: 0,
      exitCode: 0, reason: '', message: '', image: 'busybox', imageRef: 'sha256:x', labels: {}, annotations: {}, logPath: '', pid: 120, namespaces: ns('9', '11'),
    }],
  };
  assert.equal(formatRuntimePs(ps), [
    'CONTAINER ID    POD           NAME   STATE     PID   IP          NAMESPACES',
    'sbx0123456789   default/web   POD    ready     100   10.88.0.5   holds net,ipc,uts',
    'ctr0123456789   default/web   app    running   120               joins net,ipc,uts; own pid',
  ].join('\n'));
});

test('serve --max-backoff takes Go-style durations', () => {
  assert.equal(parseDurationMs('60s'), 60_000);
  assert.equal(parseDurationMs('5m'), 300_000);
  assert.equal(parseDurationMs('1m30s'), 90_000);
  assert.equal(parseDurationMs('45'), 45_000);
  assert.throws(() => parseDurationMs('soon'), /invalid duration "soon"/);
  assert.throws(() => parseDurationMs(''), /invalid duration/);
});

test('serve refuses a --node-lease-renew-interval longer than the 40s lease duration', async () => {
  const x = io();
  // --max-pods 0 is refused later, still before the daemon starts: only the interval's error may come first.
  assert.equal(await main(['serve', '--node-lease-renew-interval', '41s', '--max-pods', '0', '--data-dir', '/nonexistent/peapod-cli-test'], x), 1);
  assert.match(x.errs.join(''), /^error: invalid argument "41s" for --node-lease-renew-interval: must be no longer than the node lease's 40s duration/);
});

test("kubectl's --flag=true|false on boolean flags; a command's own words after -- are left alone", () => {
  const p = buildProgram(io());
  assert.deepEqual(normalizeBooleanFlags(p, ['get', 'pods', '--no-headers=true', '-w=false', '-A=TRUE']), ['get', 'pods', '--no-headers', '-A']);
  assert.deepEqual(normalizeBooleanFlags(p, ['get', 'pods', '--no-headers=false', '--selector=app=x']), ['get', 'pods', '--selector=app=x']);
  assert.deepEqual(normalizeBooleanFlags(p, ['exec', 'web', '--', 'ls', '-A=true']), ['exec', 'web', '--', 'ls', '-A=true']);
  assert.deepEqual(normalizeBooleanFlags(p, ['get', 'pods', '-n=true']), ['get', 'pods', '-n=true'], '-n takes a value: not a boolean');
});
