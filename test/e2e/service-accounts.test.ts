// End to end, service accounts as a kubectl user meets them (issue 12): a default ServiceAccount in every
// namespace, `kubectl create sa`, `kubectl create token` with its audience, duration and bound pod, the
// token as a credential (`auth whoami`, `auth can-i --list`, a Forbidden list), the documentation's
// projected service account token pod (storage/projected-service-account-token.yaml, with the local
// image) whose token works from inside the pod until the pod is deleted, and the refusals: a pod naming
// a missing account, a deleted account's token, a token of a foreign audience.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { TestDaemon } from '../support/daemon.js';
import { reportingFailure } from '../support/failure.js';
import { renderKubeconfig } from '../../src/api/kubeconfig.js';

const ROOT = process.getuid?.() === 0;
const KUBECTL_DIR = '/usr/lib/google-cloud-sdk/bin';
const OLDEST = `${KUBECTL_DIR}/kubectl.1.27`;
const NEWEST = `${KUBECTL_DIR}/kubectl.1.33`;
const ISSUER = 'https://kubernetes.default.svc.cluster.local';

// kubernetes/website content/en/examples/pods/storage/projected-service-account-token.yaml, with the
// local image instead of busybox:1.28.
const SA_TOKEN_POD = `apiVersion: v1
kind: Pod
metadata:
  name: sa-token-test
spec:
  containers:
  - name: container-test
    image: localhost/busybox:latest
    command: ["sleep", "3600"]
    volumeMounts:
    - name: token-vol
      mountPath: "/service-account"
      readOnly: true
  serviceAccountName: default
  volumes:
  - name: token-vol
    projected:
      sources:
      - serviceAccountToken:
          audience: api
          expirationSeconds: 3600
          path: token
`;

const sleeper = (name: string, sa: string) => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  serviceAccountName: ${sa}
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: localhost/busybox:latest
    command: ["sleep", "3600"]
`;

/** The claims of a JWT, unverified (the test checks what the server put there). */
function claimsOf(token: string): Record<string, any> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

describe('service accounts and their tokens end to end with kubectl', { skip: ROOT ? false : 'needs root: run the tests as root' }, () => {
  let d: TestDaemon;
  let failed = false;

  before(async () => {
    // "api" is the audience of the documentation's projected token; the API accepts it besides its issuer.
    d = await TestDaemon.start({ name: 'e2e-sa', podCidr: '10.88.233.0/24', extraArgs: ['--api-audiences', `${ISSUER},api`] });
  });
  after(async () => {
    await d?.destroy(failed);
  });

  const step = (name: string, fn: () => Promise<void>) => it(name, reportingFailure(fn, () => (failed = true)));
  /** kubectl logged in with `token` only (no client certificate). */
  let seq = 0;
  const asToken = (token: string, args: string[], bin = NEWEST) => {
    const kc = path.join(d.paths.dataDir, `token-${++seq}.kubeconfig`);
    fs.writeFileSync(kc, renderKubeconfig(d.cluster.server, { caPem: d.cluster.ca!.toString(), token }), { mode: 0o600 });
    return d.kubectl(args, { kubeconfig: kc, bin });
  };
  const createToken = async (args: string[], bin = NEWEST) => {
    const r = await d.kubectl(['create', 'token', ...args], { bin });
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.trim();
  };

  step('every namespace has a default ServiceAccount, a new one too, and a deleted one comes back', async () => {
    for (const bin of [OLDEST, NEWEST]) {
      const r = await d.kubectl(['get', 'sa'], { bin });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^NAME\s+SECRETS\s+AGE\n/);
      assert.match(r.stdout, /^default\s+0\s+\S+$/m);
    }
    const all = await d.k('get', 'serviceaccounts', '-A', '-o', 'jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name} {end}');
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) assert.ok(all.includes(`${ns}/default`), all);
    await d.k('create', 'namespace', 'sa-e2e');
    // Made before the namespace's create returned: a pod may be created there at once.
    assert.match(await d.k('get', 'sa', '-n', 'sa-e2e'), /^default\s+0\s+/m);
    const before = (await d.getJson('sa', 'default', '-n', 'sa-e2e')).metadata.uid;
    await d.k('delete', 'sa', 'default', '-n', 'sa-e2e');
    const again = await d.waitFor('the default account made again', async () => (await d.getJson('sa', 'default', '-n', 'sa-e2e')).metadata.uid);
    assert.notEqual(again, before);
    await d.k('delete', 'namespace', 'sa-e2e', '--wait=false');
  });

  step('kubectl create sa makes one, with 1.27 and 1.33', async () => {
    for (const [bin, name] of [[OLDEST, 'robot'], [NEWEST, 'robot2']] as const) {
      const r = await d.kubectl(['create', 'sa', name], { bin });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), `serviceaccount/${name} created`);
    }
    assert.match(await d.k('get', 'sa'), /^robot2?\s+0\s+/m);
    const r = await d.kubectl(['create', 'sa', 'robot']);
    assert.match(r.stderr, /serviceaccounts "robot" already exists/);
  });

  step('a ServiceAccount manifest applies with strict validation, and explain and describe know the kind', async () => {
    const manifest = 'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: builder\nimagePullSecrets:\n- name: regcred\nautomountServiceAccountToken: false\n';
    for (const bin of [OLDEST, NEWEST]) {
      const r = await d.kubectl(['apply', '-f', '-'], { input: manifest, bin });
      assert.equal(r.code, 0, `${bin}: ${r.stderr}`);
      const bad = await d.kubectl(['apply', '-f', '-'], { input: manifest.replace('automount', 'automagic'), bin });
      assert.match(bad.stderr, /unknown field "automagicServiceAccountToken"/, bin);
    }
    assert.match(await d.k('explain', 'sa'), /KIND:\s+ServiceAccount/);
    const desc = await d.k('describe', 'sa', 'builder');
    assert.match(desc, /^Name:\s+builder$/m);
    assert.match(desc, /^Image pull secrets:\s+regcred/m);
  });

  step('kubectl create token issues a signed token with the upstream claims; --audience and --duration are honoured', async () => {
    for (const bin of [OLDEST, NEWEST]) {
      const token = await createToken(['robot'], bin);
      const c = claimsOf(token);
      const sa = await d.getJson('sa', 'robot');
      assert.equal(c.iss, ISSUER);
      assert.equal(c.sub, 'system:serviceaccount:default:robot');
      assert.deepEqual(c.aud, [ISSUER, 'api']);
      assert.equal(c.exp - c.iat, 3600);
      assert.equal(c.nbf, c.iat);
      assert.match(c.jti, /^[0-9a-f-]{36}$/);
      assert.deepEqual(c['kubernetes.io'], { namespace: 'default', serviceaccount: { name: 'robot', uid: sa.metadata.uid } });
      assert.equal(JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()).alg, 'RS256');
    }
    const c = claimsOf(await createToken(['robot', '--audience', 'vault', '--audience', 'api', '--duration', '20m']));
    assert.deepEqual(c.aud, ['vault', 'api']);
    assert.equal(c.exp - c.iat, 1200);
    const short = await d.kubectl(['create', 'token', 'robot', '--duration', '5m']);
    assert.notEqual(short.code, 0);
    assert.match(short.stderr, /TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes/);
    const missing = await d.kubectl(['create', 'token', 'nobody']);
    assert.match(missing.stderr, /serviceaccounts "nobody" not found/);
  });

  step('the token logs in as the service account, which may do discovery and self reviews only', async () => {
    const token = await createToken(['robot']);
    const who = await asToken(token, ['auth', 'whoami']);
    assert.equal(who.code, 0, who.stderr);
    assert.match(who.stdout, /Username\s+system:serviceaccount:default:robot/);
    assert.match(who.stdout, /Groups\s+\[system:serviceaccounts system:serviceaccounts:default system:authenticated\]/);
    assert.match(who.stdout, /authentication\.kubernetes\.io\/credential-id\s+\[JTI=/);
    const list = await asToken(token, ['auth', 'can-i', '--list'], OLDEST);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]/);
    assert.doesNotMatch(list.stdout, /^pods\s/m);
    const pods = await asToken(token, ['get', 'pods']);
    assert.notEqual(pods.code, 0);
    assert.match(pods.stderr, /pods is forbidden: User "system:serviceaccount:default:robot" cannot list resource "pods" in API group "" in the namespace "default"/);
    // A token for another audience is not for this API.
    const foreign = await asToken(await createToken(['robot', '--audience', 'vault']), ['auth', 'whoami']);
    assert.notEqual(foreign.code, 0);
    assert.match(foreign.stderr, /Unauthorized|provide credentials/);
  });

  step('a token bound to a pod carries the pod and node, and dies with the pod', async () => {
    const apply = await d.kubectl(['apply', '-f', '-'], { input: sleeper('bound', 'robot') });
    assert.equal(apply.code, 0, apply.stderr);
    const pod = await d.getJson('pod', 'bound');
    const token = await createToken(['robot', '--bound-object-kind', 'Pod', '--bound-object-name', 'bound']);
    const k = claimsOf(token)['kubernetes.io'];
    assert.deepEqual(k.pod, { name: 'bound', uid: pod.metadata.uid });
    assert.equal(k.node.name, d.nodeName);
    const who = await asToken(token, ['auth', 'whoami', '-o', 'json']);
    assert.equal(who.code, 0, who.stderr);
    const extra = JSON.parse(who.stdout).status.userInfo.extra;
    assert.deepEqual(extra['authentication.kubernetes.io/pod-name'], ['bound']);
    assert.deepEqual(extra['authentication.kubernetes.io/pod-uid'], [pod.metadata.uid]);
    assert.deepEqual(extra['authentication.kubernetes.io/node-name'], [d.nodeName]);
    const wrongSa = await d.kubectl(['create', 'token', 'robot2', '--bound-object-kind', 'Pod', '--bound-object-name', 'bound']);
    assert.match(wrongSa.stderr, /cannot bind token for serviceaccount "robot2" to pod running with different serviceaccount name\./);
    const wrongUid = await d.kubectl(['create', 'token', 'robot', '--bound-object-kind', 'Pod', '--bound-object-name', 'bound', '--bound-object-uid', 'not-its-uid']);
    assert.match(wrongUid.stderr, /the UID in the bound object reference \(not-its-uid\) does not match the UID in record/);
    await d.k('delete', 'pod', 'bound', '--grace-period=0', '--force');
    const after = await asToken(token, ['auth', 'whoami']);
    assert.notEqual(after.code, 0);
  });

  step('a pod naming a missing ServiceAccount is refused as the admission plugin refuses it; what peapod does not do is refused, not ignored', async () => {
    const r = await d.kubectl(['apply', '-f', '-'], { input: sleeper('orphan', 'ghost') });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /pods "orphan" is forbidden: error looking up service account default\/ghost: serviceaccount "ghost" not found/);
    const auto = await d.kubectl(['apply', '-f', '-'], { input: sleeper('auto', 'robot').replace('spec:\n', 'spec:\n  automountServiceAccountToken: true\n') });
    assert.notEqual(auto.code, 0);
    assert.match(auto.stderr, /spec.automountServiceAccountToken: Forbidden: peapod does not mount API credentials/);
    const legacy = 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: robot-token\n  annotations:\n    kubernetes.io/service-account.name: robot\ntype: kubernetes.io/service-account-token\n';
    const refused = await d.kubectl(['apply', '-f', '-'], { input: legacy });
    assert.match(refused.stderr, /Secret "robot-token" is invalid: type: Forbidden: peapod does not fill legacy service account token Secrets/);
  });

  step('the documentation\'s projected token pod: its token authenticates as the pod until the pod is deleted', async () => {
    const apply = await d.kubectl(['apply', '-f', '-'], { input: SA_TOKEN_POD, bin: OLDEST });
    assert.equal(apply.code, 0, apply.stderr);
    await d.waitFor('sa-token-test running', async () => (await d.getJson('pod', 'sa-token-test')).status?.phase === 'Running');
    const pod = await d.getJson('pod', 'sa-token-test');
    assert.equal(pod.spec.volumes[0].projected.sources[0].serviceAccountToken.expirationSeconds, 3600);
    const token = (await d.k('exec', 'sa-token-test', '--', 'cat', '/service-account/token')).trim();
    const mode = (await d.k('exec', 'sa-token-test', '--', 'stat', '-L', '-c', '%a', '/service-account/token')).trim();
    assert.equal(mode, '644');
    const c = claimsOf(token);
    assert.deepEqual(c.aud, ['api']);
    assert.equal(c.exp - c.iat, 3600);
    const who = await asToken(token, ['auth', 'whoami']);
    assert.equal(who.code, 0, who.stderr);
    assert.match(who.stdout, /Username\s+system:serviceaccount:default:default/);
    assert.match(who.stdout, /authentication\.kubernetes\.io\/pod-name\s+\[sa-token-test\]/);
    assert.match(who.stdout, new RegExp(`authentication\\.kubernetes\\.io/pod-uid\\s+\\[${pod.metadata.uid}\\]`));
    assert.match(who.stdout, new RegExp(`authentication\\.kubernetes\\.io/node-name\\s+\\[${d.nodeName}\\]`));
    await d.k('delete', 'pod', 'sa-token-test', '--grace-period=0', '--force');
    const after = await asToken(token, ['auth', 'whoami']);
    assert.notEqual(after.code, 0);
    assert.match(after.stderr, /Unauthorized|provide credentials/);
  });

  step('the signing key is kept in pki/sa.key (0600): tokens and default accounts outlive a daemon restart', async () => {
    const token = await createToken(['robot']);
    const uid = (await d.getJson('sa', 'default')).metadata.uid;
    const key = path.join(d.paths.dataDir, 'pki', 'sa.key');
    assert.equal(fs.statSync(key).mode & 0o777, 0o600);
    await d.stopProcess();
    await d.serve();
    const who = await asToken(token, ['auth', 'whoami']);
    assert.equal(who.code, 0, who.stderr);
    assert.equal((await d.getJson('sa', 'default')).metadata.uid, uid);
  });

  step('a deleted ServiceAccount\'s tokens are refused, and a new one of the same name does not revive them', async () => {
    const token = await createToken(['robot2']);
    assert.equal((await asToken(token, ['auth', 'whoami'])).code, 0);
    await d.k('delete', 'sa', 'robot2');
    assert.notEqual((await asToken(token, ['auth', 'whoami'])).code, 0);
    await d.k('create', 'sa', 'robot2');
    assert.notEqual((await asToken(token, ['auth', 'whoami'])).code, 0);
  });
});
