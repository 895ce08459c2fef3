// Root integration test of the private data dir (issue 6, "close the ways to root"): a data dir left
// open in the worst order is repaired, and after a daemon-like start (the components built directly,
// pod network 10.88.223.0/24) a user other than root reads nothing of the daemon's: store and WAL,
// container config and record, kubeconfig, keys, logs, runc state. A container running as that same
// uid still reads its pod files and writes its termination log. Leaves nothing behind.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { RESOURCES } from '../../src/k8s/registry.js';
import type { KubeObject } from '../../src/k8s/types.js';
import { nodePaths, type NodePaths } from '../../src/node/paths.js';
import { prepareDataDir } from '../../src/node/private-dir.js';
import { classify, DATA_DIR_RULE, RUN_DIR_RULE } from '../../src/node/private-state.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { HostExec } from '../../src/system/exec.js';
import { SystemClock } from '../../src/system/clock.js';
import type { Logger } from '../../src/system/logger.js';
import { renderKubeconfig } from '../../src/api/kubeconfig.js';
import { LocalImageService } from '../../src/images/local-image-service.js';
import { buildBusyboxImage, BUSYBOX_REF } from '../../src/images/busybox.js';
import { CniNetwork } from '../../src/runtime/network/cni-network.js';
import { RuncRuntime } from '../../src/runtime/runc-runtime.js';
import type { ContainerConfig, PodSandboxConfig } from '../../src/runtime/runtime.js';

const SUBNET = '10.88.223.0/24';
const NOBODY = 65534;
const SECRET = 's3cr3t-token-8d1f';
const ID = 'e'.repeat(64);

if (process.getuid?.() !== 0) {
  test('private data dir (needs root)', { skip: 'needs root: run as root' }, () => {});
} else {
  suite();
}

/** Runs argv as uid/gid 65534 with no supplementary groups. */
function asNobody(argv: string[]): { code: number | null; out: string } {
  const r = spawnSync('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '--', ...argv], { encoding: 'utf8' });
  return { code: r.status, out: (r.stdout ?? '') + (r.stderr ?? '') };
}

/** Asserts that uid 65534 can neither read (files) nor list (dirs) any of `paths`. */
function assertNobodyLockedOut(paths: string[]): void {
  for (const p of paths) {
    const isDir = fs.lstatSync(p).isDirectory();
    const r = asNobody(isDir ? ['ls', '-a', p] : ['cat', p]);
    assert.notEqual(r.code, 0, `nobody could ${isDir ? 'list' : 'read'} ${p}: ${r.out.slice(0, 200)}`);
    assert.match(r.out, /Permission denied/, p);
    assert.ok(!r.out.includes(SECRET), `secret leaked through ${p}`);
  }
}

const modeOf = (p: string) => (fs.lstatSync(p).mode & 0o7777).toString(8).padStart(4, '0');

function capturingLogger(lines: string[]): Logger {
  return pino({ level: 'debug' }, new Writable({ write: (b: Buffer, _e, cb) => (lines.push(b.toString()), cb()) }));
}

function suite(): void {
  const exec = new HostExec();
  const clock = new SystemClock();
  const logLines: string[] = [];
  const logger = capturingLogger(logLines);
  const made: NodePaths[] = [];
  let failed = false;
  let runtime: RuncRuntime | undefined;
  let network: CniNetwork | undefined;

  function wrap(name: string, fn: () => Promise<void>) {
    test(name, async () => {
      try {
        await fn();
      } catch (e) {
        failed = true;
        throw e;
      }
    });
  }

  function newDataDir(prefix: string): NodePaths {
    const dir = fs.mkdtempSync(`/tmp/peapod-${prefix}-`);
    const paths = nodePaths(dir);
    made.push(paths);
    return paths;
  }

  after(async () => {
    try {
      if (runtime) {
        for (const s of await runtime.listPodSandboxes()) await runtime.removePodSandbox(s.id);
        await runtime.teardownNode();
        runtime.close();
      }
      if (network) await network.teardownNode();
    } finally {
      if (failed || process.env.PEAPOD_TEST_LOG) console.log('log:\n' + logLines.join(''));
      for (const p of made) {
        fs.rmSync(p.dataDir, { recursive: true, force: true });
        fs.rmSync(p.runDir, { recursive: true, force: true });
      }
    }
  });

  wrap('a data dir left open in the worst order is repaired: root-owned, 0700 dirs, 0600 files; container-facing modes kept', async () => {
    const paths = newDataDir('priv-worst');
    const d = paths.dataDir;
    const at = (rel: string) => path.join(d, rel);
    const put = (rel: string, mode: number, content = 'x') => {
      fs.mkdirSync(path.dirname(at(rel)), { recursive: true });
      fs.writeFileSync(at(rel), content);
      fs.chmodSync(at(rel), mode);
    };
    const dir = (rel: string, mode: number) => {
      fs.mkdirSync(at(rel), { recursive: true });
      fs.chmodSync(at(rel), mode);
    };
    // An older peapod's layout: 0711 data dir, then an admin's chown, a 0644 store with its WAL open.
    fs.chmodSync(d, 0o755);
    fs.chownSync(d, NOBODY, NOBODY);
    const store = new SqliteStore({ path: paths.dbPath, resources: RESOURCES, clock });
    try {
      store.create('secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default' }, stringData: { token: SECRET } });
      for (const f of ['', '-wal', '-shm']) fs.chmodSync(paths.dbPath + f, 0o644);
      put('kubeconfig', 0o644);
      fs.chownSync(at('kubeconfig'), NOBODY, NOBODY);
      dir('pki', 0o755);
      put('pki/apiserver.key', 0o644);
      put('pki/ca.crt', 0o644);
      dir(`containers/${ID}`, 0o755);
      fs.chmodSync(at('containers'), 0o755);
      put(`containers/${ID}/config.json`, 0o644, SECRET);
      put(`containers/${ID}/record.json`, 0o644, SECRET);
      put(`containers/${ID}/termination-log`, 0o666, '');
      fs.symlinkSync('/etc/passwd', at(`containers/${ID}/conmon.log`));
      put(`sandboxes/${ID}/record.json`, 0o644);
      put(`sandboxes/${ID}/hosts`, 0o644);
      fs.chmodSync(at(`sandboxes/${ID}`), 0o755);
      put('logs/pods/default_web_uid1/c/0.log', 0o644, SECRET);
      fs.chmodSync(at('logs/pods/default_web_uid1/c'), 0o755);
      put('tmp/upload-1.tar', 0o644);
      put('images/layers/abc/diff/etc/motd', 0o644);
      fs.chmodSync(at('images'), 0o755);
      dir('pods/uid1/volumes/kubernetes.io~empty-dir/scratch', 0o777);
      fs.chmodSync(at('pods'), 0o755);
      dir('cni/net.d', 0o755);
      fs.mkdirSync(path.join(paths.runDir, 'runc'), { recursive: true });
      fs.chmodSync(paths.runDir, 0o755);
      fs.chmodSync(path.join(paths.runDir, 'runc'), 0o755);
      const passwdMode = modeOf('/etc/passwd');

      const report = prepareDataDir(paths, logger);

      const privatePaths = [
        '', 'peapod.db', 'peapod.db-wal', 'peapod.db-shm', 'kubeconfig', 'pki', 'pki/apiserver.key', 'containers', `containers/${ID}`,
        `containers/${ID}/config.json`, `containers/${ID}/record.json`, 'sandboxes', `sandboxes/${ID}`, `sandboxes/${ID}/record.json`,
        'logs', 'logs/pods', 'logs/pods/default_web_uid1', 'logs/pods/default_web_uid1/c', 'logs/pods/default_web_uid1/c/0.log',
        'tmp', 'tmp/upload-1.tar', 'images', 'cni', 'cni/net.d',
      ];
      for (const rel of privatePaths) {
        const st = fs.lstatSync(at(rel));
        const want = st.isDirectory() ? '0700' : '0600';
        assert.equal(modeOf(at(rel)), want, rel || '<data-dir>');
        assert.equal(st.uid, 0, `${rel} owned by root`);
        assert.equal(classify(DATA_DIR_RULE, rel)?.maxMode.toString(8).padStart(4, '0'), want, `${rel} is in the inventory`);
      }
      for (const p of [paths.runDir, path.join(paths.runDir, 'runc')]) assert.equal(modeOf(p), '0700', p);
      assert.equal(classify(RUN_DIR_RULE, 'runc')?.maxMode, 0o700);
      const kept: [string, string][] = [
        ['pki/ca.crt', '0644'],
        [`containers/${ID}/termination-log`, '0666'],
        [`sandboxes/${ID}/hosts`, '0644'],
        ['images/layers/abc/diff/etc/motd', '0644'],
        ['images/layers/abc/diff', '0755'],
        ['pods', '0750'],
        ['pods/uid1/volumes/kubernetes.io~empty-dir/scratch', '0777'],
      ];
      for (const [rel, want] of kept) assert.equal(modeOf(at(rel)), want, rel);
      assert.equal(modeOf('/etc/passwd'), passwdMode, 'a symlink is never followed');
      assert.deepEqual(report.skipped.map((s) => path.relative(d, s.path)), [`containers/${ID}/conmon.log`]);

      const warned = logLines.map((l) => JSON.parse(l) as { msg: string; path?: string; oldMode?: string; newMode?: string; oldOwner?: string });
      const repairs = warned.filter((l) => l.msg.startsWith('repaired daemon-private state'));
      assert.equal(repairs.length, new Set(repairs.map((r) => r.path)).size, 'each path logged once');
      assert.deepEqual(repairs.find((r) => r.path === d), { ...repairs.find((r) => r.path === d), oldMode: '0755', newMode: '0700', oldOwner: `${NOBODY}:${NOBODY}` });
      assert.ok(repairs.some((r) => r.path === paths.dbPath + '-wal' && r.oldMode === '0644' && r.newMode === '0600'));

      assertNobodyLockedOut([d, paths.dbPath, paths.dbPath + '-wal', at('kubeconfig'), at('pki/apiserver.key'), at(`containers/${ID}/config.json`), at('logs/pods/default_web_uid1/c/0.log')]);
      assert.deepEqual(prepareDataDir(paths, logger).repaired, [], 'a second start finds nothing to repair');
      // The store still works on its repaired files.
      assert.equal(store.get<KubeObject & { stringData?: Record<string, string> }>('secrets', 'default', 's').stringData?.token, SECRET);
    } finally {
      store.close();
    }
  });

  wrap('after a daemon-like start no other user reads the store, configs, kubeconfig, keys or logs, and a container running as that uid still works', async () => {
    const paths = newDataDir('priv-serve');
    fs.rmdirSync(paths.dataDir); // serve runs first on a data dir nobody made
    prepareDataDir(paths, logger);
    assert.equal(modeOf(paths.dataDir), '0700');
    const store = new SqliteStore({ path: paths.dbPath, resources: RESOURCES, clock });
    try {
      store.create('secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'tok', namespace: 'default' }, stringData: { token: SECRET } });
      const images = new LocalImageService({ paths, exec, logger, clock });
      await images.init();
      await buildBusyboxImage(images, { exec });
      network = new CniNetwork({ paths, exec, logger, podCidr: SUBNET });
      await network.init();
      runtime = new RuncRuntime({ paths, exec, clock, logger, images, network });
      await runtime.init();
      // What the daemon writes once it serves: its kubeconfig, and (another change) TLS material under pki/.
      fs.writeFileSync(paths.kubeconfigPath, renderKubeconfig('http://127.0.0.1:1'), { mode: 0o600 });
      fs.mkdirSync(path.join(paths.dataDir, 'pki'), { mode: 0o700 });
      fs.writeFileSync(path.join(paths.dataDir, 'pki', 'apiserver.key'), SECRET, { mode: 0o600 });

      const uid = 'uid-priv-1';
      const sb: PodSandboxConfig = {
        metadata: { name: 'priv', namespace: 'default', uid, attempt: 0 },
        hostname: 'priv',
        logDirectory: path.join(paths.podLogsDir, `default_priv_${uid}`),
        dns: { servers: ['10.0.0.10'], searches: [], options: [] },
        hostAliases: [],
        portMappings: [],
        labels: {},
        annotations: {},
        hostNetwork: false,
        hostPID: false,
        hostIPC: false,
        shareProcessNamespace: false,
        sysctls: {},
      };
      const c: ContainerConfig = {
        metadata: { name: 'app', attempt: 0 },
        image: BUSYBOX_REF,
        args: ['/bin/sh', '-c', 'echo "token=$TOKEN"; cat /etc/hosts /etc/resolv.conf >/dev/null && echo pod-files-ok; echo bye > /dev/termination-log && echo termlog-ok; exec sleep 1000'],
        envs: [{ key: 'PATH', value: '/bin' }, { key: 'TOKEN', value: SECRET }],
        workingDir: '/',
        mounts: [],
        logPath: 'app/0.log',
        stdin: false,
        stdinOnce: false,
        tty: false,
        labels: {},
        annotations: {},
        security: {
          privileged: false, runAsUser: NOBODY, runAsGroup: NOBODY, supplementalGroups: [], readonlyRootfs: false,
          noNewPrivileges: true, capabilitiesAdd: [], capabilitiesDrop: [],
        },
        resources: {},
        stopSignal: 'SIGTERM',
      };
      const sid = await runtime.runPodSandbox(sb);
      const cid = await runtime.createContainer(sid, c, sb);
      await runtime.startContainer(cid);
      const logFile = path.join(sb.logDirectory, 'app', '0.log');
      let log = '';
      for (let i = 0; i < 100 && !log.includes('termlog-ok'); i++) {
        await new Promise((r) => setTimeout(r, 50));
        log = fs.readFileSync(logFile, 'utf8');
      }
      assert.match(log, new RegExp(`token=${SECRET}`));
      assert.match(log, /pod-files-ok/, 'a non-root container reads /etc/hosts and resolv.conf through the private dirs');
      assert.match(log, /termlog-ok/, 'and writes its termination log');
      const exec1 = await runtime.execSync(cid, ['/bin/sh', '-c', 'id -u; echo "$TOKEN"'], 5000);
      assert.equal(exec1.stdout.toString(), `${NOBODY}\n${SECRET}\n`);

      const bundle = path.join(paths.containersDir, cid);
      const facts = Object.fromEntries(
        fs.readdirSync(bundle).map((n) => [n, `${modeOf(path.join(bundle, n))}${fs.lstatSync(path.join(bundle, n)).isDirectory() ? '/' : ''}`]),
      );
      console.log('# bundle modes:', JSON.stringify(facts), 'log:', modeOf(logFile), 'runc state:', modeOf(path.join(paths.runcRoot, cid, 'state.json')));
      assert.equal(modeOf(logFile), '0600');
      assert.equal(modeOf(path.join(bundle, 'termination-log')), '0666');

      // Everything the daemon made is already as the inventory wants: nothing to repair.
      const again = prepareDataDir(paths, logger);
      assert.deepEqual(again.repaired, [], JSON.stringify(again.repaired));
      assert.deepEqual(again.skipped, []);

      assertNobodyLockedOut([
        paths.dataDir,
        paths.dbPath,
        paths.dbPath + '-wal',
        paths.kubeconfigPath,
        path.join(paths.dataDir, 'pki', 'apiserver.key'),
        path.join(bundle, 'config.json'),
        path.join(bundle, 'record.json'),
        path.join(paths.sandboxesDir, sid, 'record.json'),
        logFile,
        paths.runDir,
        paths.runcRoot,
        path.join(paths.runcRoot, cid, 'state.json'),
        paths.exitsDir,
        paths.attachDir,
      ]);
      // The paths themselves give nothing away either: no traversal below the data dir.
      assert.match(asNobody(['stat', path.join(bundle, 'config.json')]).out, /Permission denied/);
    } finally {
      store.close();
    }
  });
}
