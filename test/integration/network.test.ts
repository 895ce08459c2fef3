// Root integration test of CniNetwork against the real CNI plugins: pinned netns, bridge + host-local +
// portmap on our own data dir, bridge and subnet 10.88.201.0/24; pod↔pod and pod→gateway traffic, one
// node-level masquerade rule set (idempotent across restarts), no per-pod nat rule for a pod without
// hostPorts, a hostPort served from a pod, port reservation and clash, clean detach, parallel
// attach/detach, attachments cached before node masquerade (ipMasq, portmap) detached and gc'd, gc of
// leaks and node teardown. Prints attach/detach timings (p50) and the network log on failure.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { nodePaths, type NodePaths } from '../../src/node/paths.js';
import { HostExec } from '../../src/system/exec.js';
import { CniNetwork } from '../../src/runtime/network/cni-network.js';
import { CniCache, buildCacheRecord } from '../../src/runtime/network/cni-cache.js';
import { CniInvoker } from '../../src/runtime/network/cni-invoke.js';
import { POD_IFNAME, buildCniArgs, renderBridgeConflist, toCniPortMappings } from '../../src/runtime/network/cni.js';
import { nodeMasqChain, removeNodeMasq } from '../../src/runtime/network/node-masq.js';
import type { NetworkAttachRequest, NetworkAttachResult } from '../../src/runtime/network/network.js';
import type { PortMapping } from '../../src/runtime/runtime.js';
import { reportingFailure } from '../support/failure.js';

const SUBNET = '10.88.201.0/24';

if (process.getuid?.() !== 0) {
  test('network (needs root)', { skip: 'needs root: run as root' }, () => {});
} else {
  const exec = new HostExec();
  const logs: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => void logs.push(s) });
  const children: ChildProcess[] = [];
  const attached = new Map<string, NetworkAttachRequest>();
  const timings = { attach: [] as number[], detach: [] as number[], attachNoPorts: [] as number[], detachNoPorts: [] as number[] };
  let failed = false;
  let dataDir = '';
  let paths: NodePaths;
  let network: CniNetwork;

  const sh = (file: string, args: string[]) => exec.run(file, args);
  const natRules = async () => (await sh('iptables-save', ['-t', 'nat'])).stdout;
  /** The nat lines of our node masquerade (chain declaration and rules). */
  const nodeMasqLines = async () => {
    const chain = nodeMasqChain(paths.key);
    return (await natRules())
      .split('\n')
      .filter((l) => l.includes(`peapod node masquerade: ${paths.networkName}"`) || l.startsWith(`:${chain} `));
  };
  /** The nat rules (`-A` lines) naming our network, subnet or one of `ids`; other engines' rules may change meanwhile. */
  const oursInNat = async (ids: string[]) =>
    (await natRules())
      .split('\n')
      .filter((l) => l.startsWith('-A ') && [paths.networkName, '10.88.201.', ...ids].some((k) => l.includes(k)));
  const ipamFiles = async () =>
    (await fs.readdir(path.join(paths.ipamDir, paths.networkName)).catch(() => [] as string[])).filter((n) => net.isIP(n));
  const cacheFiles = async () => await fs.readdir(path.join(paths.cniCacheDir, 'results')).catch(() => [] as string[]);
  const linkExists = async (name: string) => (await sh('ip', ['link', 'show', name])).code === 0;
  const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

  /** A test that flags the suite as failed (so after() prints the log). */
  const step = (name: string, fn: () => Promise<void>) => test(name, reportingFailure(fn, () => (failed = true)));

  async function freePort(): Promise<number> {
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(0, '0.0.0.0', r));
    const port = (srv.address() as net.AddressInfo).port;
    await new Promise((r) => srv.close(r));
    return port;
  }

  async function canBind(port: number, host: string): Promise<boolean> {
    const srv = net.createServer();
    return new Promise((resolve) => {
      srv.once('error', () => resolve(false));
      srv.listen(port, host, () => srv.close(() => resolve(true)));
    });
  }

  async function newPod(id: string, portMappings: PortMapping[] = []): Promise<NetworkAttachRequest> {
    const netnsPath = await network.createNetns(id);
    return { sandboxId: id, netnsPath, podName: `pod-${id}`, podNamespace: 'default', podUid: `uid-${id}`, portMappings };
  }

  async function attach(req: NetworkAttachRequest): Promise<NetworkAttachResult> {
    const res = await network.attach(req);
    attached.set(req.sandboxId, req);
    return res;
  }

  async function detach(req: NetworkAttachRequest): Promise<void> {
    await network.detach(req);
    attached.delete(req.sandboxId);
  }

  /** No trace of `id` left by our network: chains, IPAM file, cache files. */
  async function assertGone(id: string, ip?: string): Promise<void> {
    assert.doesNotMatch(await natRules(), new RegExp(`id: \\\\"${id}\\\\"`), `nat rules still name ${id}`);
    if (ip) assert.ok(!(await ipamFiles()).includes(ip), `ip ${ip} still reserved`);
    assert.deepEqual((await cacheFiles()).filter((f) => f.includes(`-${id}-`)), [], `cache files of ${id} left`);
  }

  before(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'peapod-net-it-'));
    paths = nodePaths(dataDir);
    network = new CniNetwork({ paths, exec, logger, podCidr: SUBNET });
  });

  after(async () => {
    for (const c of children) if (c.exitCode === null && c.pid) process.kill(c.pid, 'SIGKILL');
    for (const req of attached.values()) await network.detach(req).catch(() => undefined);
    await network.gc(new Set()).catch(() => undefined);
    await network.teardownNode().catch(() => undefined);
    await removeNodeMasq(exec, nodeMasqChain(paths.key)).catch(() => undefined);
    // Belt and braces: nothing of ours may survive a failed run.
    await sh('ip', ['link', 'del', paths.bridgeName]);
    const mounts = (await fs.readFile('/proc/self/mountinfo', 'utf8'))
      .split('\n')
      .map((l) => l.split(' ')[4])
      .filter((m): m is string => !!m && m.startsWith(paths.runDir))
      .sort((a, b) => b.length - a.length);
    for (const m of mounts) await sh('umount', ['--lazy', m]);
    await fs.rm(paths.runDir, { recursive: true, force: true });
    await fs.rm(dataDir, { recursive: true, force: true });
    if (failed) process.stderr.write(`--- network log ---\n${logs.join('')}\n`);
    const fmt = (xs: number[]) => `${p50(xs).toFixed(0)} (n=${xs.length})`;
    process.stderr.write(
      `network timings p50 ms: with hostPort attach ${fmt(timings.attach)} detach ${fmt(timings.detach)}; ` +
        `without attach ${fmt(timings.attachNoPorts)} detach ${fmt(timings.detachNoPorts)}\n`,
    );
  });

  let a: NetworkAttachRequest;
  let b: NetworkAttachRequest;
  let resA: NetworkAttachResult;
  let resB: NetworkAttachResult;
  let hostPort = 0;

  step('attaches two pods with distinct addresses from the subnet behind the gateway', async () => {
    await network.init();
    hostPort = await freePort();
    a = await newPod('ita', [{ protocol: 'TCP', containerPort: 8080, hostPort }]);
    b = await newPod('itb');
    resA = await attach(a);
    resB = await attach(b);
    for (const r of [resA, resB]) {
      assert.match(r.ip, /^10\.88\.201\.\d+$/);
      assert.equal(r.gateway, '10.88.201.1');
    }
    assert.notEqual(resA.ip, resB.ip);
    assert.ok(await linkExists(paths.bridgeName));
    assert.deepEqual((await cacheFiles()).sort(), [
      'cni-loopback-ita-lo',
      'cni-loopback-itb-lo',
      `${paths.networkName}-ita-eth0`,
      `${paths.networkName}-itb-eth0`,
    ]);
  });

  step('egress masquerade is one node-level rule set and no pod has a per-pod masquerade chain', async () => {
    const chain = nodeMasqChain(paths.key);
    const c = `-m comment --comment "peapod node masquerade: ${paths.networkName}"`;
    assert.deepEqual(await nodeMasqLines(), [
      `:${chain} - [0:0]`,
      `-A POSTROUTING -s ${SUBNET} ${c} -j ${chain}`,
      `-A ${chain} -d ${SUBNET} ${c} -j RETURN`,
      `-A ${chain} -d 224.0.0.0/4 ${c} -j RETURN`,
      `-A ${chain} ${c} -j MASQUERADE`,
    ]);
    const perPod = (await natRules()).split('\n').filter((l) => /^-A POSTROUTING .*name: \\"/.test(l) && l.includes(paths.networkName));
    assert.deepEqual(perPod, []);
  });

  step('a pod without hostPorts adds no nat rule and records only loopback + bridge', async () => {
    const q = await newPod('itq');
    const before = await oursInNat(['itq']);
    const res = await attach(q);
    assert.deepEqual(await oursInNat(['itq', res.ip]), before);
    const record = JSON.parse(await fs.readFile(path.join(paths.cniCacheDir, 'results', `${paths.networkName}-itq-eth0`), 'utf8'));
    const list = JSON.parse(Buffer.from(record.config, 'base64').toString('utf8'));
    assert.deepEqual(list.plugins.map((p: { type: string }) => p.type), ['bridge']);
    assert.equal(list.plugins[0].ipMasq, false);
    await detach(q);
    assert.deepEqual(await oursInNat(['itq', res.ip]), before);
    await assertGone('itq', res.ip);
    await network.removeNetns(q.netnsPath);
  });

  step('a restarted daemon (init on a new CniNetwork, twice) keeps exactly one rule set', async () => {
    const before = await nodeMasqLines();
    for (let i = 0; i < 2; i++) await new CniNetwork({ paths, exec, logger, podCidr: SUBNET }).init();
    assert.deepEqual(await nodeMasqLines(), before);
    assert.equal(before.length, 5);
  });

  step('pods reach the host on the gateway address', async () => {
    for (const from of [a, b]) {
      const r = await sh('nsenter', [`--net=${from.netnsPath}`, 'busybox', 'ping', '-c1', '-W2', '10.88.201.1']);
      assert.equal(r.code, 0, `ping gateway from ${from.sandboxId}: ${r.stdout}${r.stderr}`);
    }
  });

  step('pods reach each other', async () => {
    for (const [from, to] of [
      [a, resB.ip],
      [b, resA.ip],
    ] as const) {
      const r = await sh('nsenter', [`--net=${from.netnsPath}`, 'busybox', 'ping', '-c1', '-W2', to]);
      assert.equal(r.code, 0, `ping ${to} from ${from.sandboxId}: ${r.stdout}${r.stderr}`);
    }
  });

  step('a hostPort reaches the pod from the host via 127.0.0.1', async () => {
    const www = path.join(dataDir, 'www');
    await fs.mkdir(www, { recursive: true });
    await fs.writeFile(path.join(www, 'index.html'), 'hello from pod a\n');
    const httpd = spawn('nsenter', [`--net=${a.netnsPath}`, 'busybox', 'httpd', '-f', '-p', '8080', '-h', www], {
      stdio: 'ignore',
    });
    children.push(httpd);
    let body = '';
    for (let i = 0; i < 50 && !body; i++) {
      body = await fetch(`http://127.0.0.1:${hostPort}/`, { signal: AbortSignal.timeout(2000) })
        .then((r) => r.text())
        .catch(() => '');
      if (!body) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(body, 'hello from pod a\n');
  });

  step('the hostPort is reserved on the host', async () => {
    assert.equal(await canBind(hostPort, '0.0.0.0'), false);
    assert.equal(await canBind(hostPort, '127.0.0.1'), false);
  });

  step('a clash on the same hostPort fails cleanly and leaves nothing', async () => {
    const c = await newPod('itc', [{ protocol: 'TCP', containerPort: 80, hostPort }]);
    await assert.rejects(network.attach(c), new RegExp(`host port ${hostPort}/TCP is already in use`));
    await assertGone('itc');
    assert.equal((await ipamFiles()).length, 2);
    await network.detach(c); // never attached: DEL from the current config succeeds
    await assertGone('itc');
    await network.removeNetns(c.netnsPath);
    await network.removeNetns(c.netnsPath); // idempotent
  });

  step('detach releases the IP, rules, veth, cache and host port', async () => {
    const vethA = (resA.cniResult as { interfaces: { name: string }[] }).interfaces[1]!.name;
    assert.ok(await linkExists(vethA));
    await detach(a);
    await detach(b);
    await detach(b); // idempotent
    await assertGone('ita', resA.ip);
    await assertGone('itb', resB.ip);
    assert.doesNotMatch(await natRules(), new RegExp(`name: \\\\"${paths.networkName}\\\\"`));
    assert.equal(await linkExists(vethA), false);
    assert.equal(await canBind(hostPort, '0.0.0.0'), true);
    await network.removeNetns(a.netnsPath);
    await network.removeNetns(b.netnsPath);
    await fs.access(a.netnsPath).then(
      () => assert.fail('netns file left'),
      () => undefined,
    );
  });

  step('10 parallel attaches get distinct IPs and 10 parallel detaches clean up', async () => {
    const pods = await Promise.all(Array.from({ length: 10 }, (_, i) => newPod(`itp${i}`)));
    const t0 = performance.now();
    const results = await Promise.all(pods.map((p) => attach(p)));
    const addWall = performance.now() - t0;
    assert.equal(new Set(results.map((r) => r.ip)).size, 10);
    assert.equal((await ipamFiles()).length, 10);
    const t1 = performance.now();
    await Promise.all(pods.map((p) => detach(p)));
    const delWall = performance.now() - t1;
    assert.deepEqual(await ipamFiles(), []);
    for (const p of pods) await assertGone(p.sandboxId);
    await Promise.all(pods.map((p) => network.removeNetns(p.netnsPath)));
    process.stderr.write(`network: 10 parallel attach ${addWall.toFixed(0)} ms, detach ${delWall.toFixed(0)} ms (wall)\n`);
  });

  step('10 parallel attaches with hostPorts and their detaches clean up', async () => {
    const pods = await Promise.all(
      Array.from({ length: 10 }, async (_, i) => newPod(`itpp${i}`, [{ protocol: 'TCP', containerPort: 80, hostPort: await freePort() }])),
    );
    const t0 = performance.now();
    await Promise.all(pods.map((p) => attach(p)));
    const addWall = performance.now() - t0;
    const t1 = performance.now();
    await Promise.all(pods.map((p) => detach(p)));
    const delWall = performance.now() - t1;
    assert.deepEqual(await ipamFiles(), []);
    for (const p of pods) await assertGone(p.sandboxId);
    await Promise.all(pods.map((p) => network.removeNetns(p.netnsPath)));
    process.stderr.write(`network: 10 parallel attach with hostPorts ${addWall.toFixed(0)} ms, detach ${delWall.toFixed(0)} ms (wall)\n`);
  });

  step('sequential attach/detach, with and without a hostPort (timing sample)', async () => {
    for (let i = 0; i < 12; i++) {
      const ports: PortMapping[] = i % 2 ? [] : [{ protocol: 'TCP', containerPort: 80, hostPort: await freePort() }];
      const p = await newPod(`its${i}`, ports);
      const t0 = performance.now();
      await attach(p);
      const t1 = performance.now();
      await detach(p);
      const t2 = performance.now();
      (ports.length ? timings.attach : timings.attachNoPorts).push(t1 - t0);
      (ports.length ? timings.detach : timings.detachNoPorts).push(t2 - t1);
      await network.removeNetns(p.netnsPath);
      await assertGone(p.sandboxId);
    }
  });

  step('a plugin failure mid-ADD is undone completely', async () => {
    // SCTP is not reserved by a socket, so the bad port reaches portmap, which fails after bridge succeeded.
    const u = await newPod('itundo', [{ protocol: 'SCTP', containerPort: 80, hostPort: 70000 }]);
    const before = await ipamFiles();
    await assert.rejects(network.attach(u), /cni portmap ADD on network .* for sandbox itundo: /);
    await assertGone('itundo');
    assert.deepEqual(await ipamFiles(), before);
    const veths = (await sh('ip', ['-o', 'link', 'show', 'master', paths.bridgeName])).stdout.trim();
    assert.equal(veths, '', `veth left on the bridge: ${veths}`);
    await network.removeNetns(u.netnsPath);
  });

  step('detach after the netns is gone still removes the masquerade chain', async () => {
    const g = await newPod('itg', [{ protocol: 'TCP', containerPort: 80, hostPort: await freePort() }]);
    const res = await attach(g);
    await network.removeNetns(g.netnsPath);
    await detach(g);
    await assertGone('itg', res.ip);
  });

  /** ADDs `req` the way the engine did before node masquerade (bridge ipMasq on, portmap always) and caches it. */
  async function attachOldStyle(req: NetworkAttachRequest): Promise<string> {
    const old = renderBridgeConflist({ networkName: paths.networkName, bridgeName: paths.bridgeName, ipamDir: paths.ipamDir, podCidr: SUBNET });
    old.plugins[0]!.ipMasq = true;
    const invoker = new CniInvoker({ exec, binDirs: ['/usr/lib/cni'], resolve: (t) => `/usr/lib/cni/${t}` });
    const args = { containerId: req.sandboxId, netns: req.netnsPath, ifName: POD_IFNAME, podNamespace: 'default', podName: req.podName, podUid: req.podUid };
    const caps = { portMappings: toCniPortMappings(req.portMappings) };
    const result = await invoker.add(old, args, caps);
    await new CniCache(paths.cniCacheDir).write(buildCacheRecord({ list: old, args, cniArgs: buildCniArgs(args), caps, result }));
    attached.set(req.sandboxId, req);
    const ip = (result.ips ?? [])[0]!.address.split('/')[0]!;
    assert.match(await natRules(), new RegExp(`-A POSTROUTING -s ${ip.replace(/\./g, '\\.')}/32 .*id: \\\\"${req.sandboxId}\\\\"`));
    return ip;
  }

  step('an attachment cached before node masquerade (ipMasq, portmap) detaches completely', async () => {
    const o = await newPod('itold');
    const ip = await attachOldStyle(o);
    await detach(o);
    await assertGone('itold', ip);
    await network.removeNetns(o.netnsPath);
  });

  step('gc removes an unknown sandbox attached before node masquerade, per-pod chain included', async () => {
    const o = await newPod('itoldgc');
    const ip = await attachOldStyle(o);
    attached.delete(o.sandboxId);
    await network.gc(new Set());
    await assertGone('itoldgc', ip);
  });

  step('gc drops the cached attachment of an unknown sandbox and keeps live ones', async () => {
    const live = await newPod('itlive', [{ protocol: 'TCP', containerPort: 80, hostPort: await freePort() }]);
    const dead = await newPod('itdead', [{ protocol: 'TCP', containerPort: 80, hostPort: await freePort() }]);
    const liveRes = await attach(live);
    const deadRes = await attach(dead);
    attached.delete(dead.sandboxId);
    await network.gc(new Set([live.sandboxId]));
    await assertGone('itdead', deadRes.ip);
    await fs.access(dead.netnsPath).then(
      () => assert.fail('netns of unknown sandbox left'),
      () => undefined,
    );
    assert.ok((await ipamFiles()).includes(liveRes.ip));
    assert.match(await natRules(), /id: \\"itlive\\"/);
    await detach(live);
    await network.removeNetns(live.netnsPath);
  });

  step('gc removes a leaked IPAM file and chains with no cache record', async () => {
    const leak = await newPod('itleak', [{ protocol: 'TCP', containerPort: 80, hostPort: await freePort() }]);
    const res = await attach(leak);
    attached.delete(leak.sandboxId);
    // A daemon that crashed after ADD but before writing the cache leaves exactly this.
    for (const f of await cacheFiles()) await fs.rm(path.join(paths.cniCacheDir, 'results', f));
    assert.match(await natRules(), /CNI-DN-/);
    await network.gc(new Set());
    await assertGone('itleak', res.ip);
    assert.deepEqual(await ipamFiles(), []);
  });

  step('gc leaves the node masquerade alone', async () => {
    await network.gc(new Set());
    assert.equal((await nodeMasqLines()).length, 5);
  });

  step('teardownNode removes the bridge, the node masquerade and our dirs', async () => {
    await network.teardownNode();
    assert.equal(await linkExists(paths.bridgeName), false);
    assert.deepEqual(await nodeMasqLines(), []);
    for (const dir of [paths.cniConfDir, paths.cniCacheDir, paths.ipamDir, paths.netnsDir]) {
      await fs.access(dir).then(
        () => assert.fail(`${dir} left`),
        () => undefined,
      );
    }
  });
}
