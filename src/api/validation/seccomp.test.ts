import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from '../../k8s/types.js';
import { applyDefaults } from '../defaults.js';
import { validatePod } from './pod.js';

function podWith(podLevel?: unknown, ctrLevel?: unknown): Pod {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      ...(podLevel !== undefined ? { securityContext: { seccompProfile: podLevel } } : {}),
      containers: [{ name: 'main', image: 'busybox', ...(ctrLevel !== undefined ? { securityContext: { seccompProfile: ctrLevel } } : {}) }],
    },
  } as Pod;
  applyDefaults('pods', pod);
  return pod;
}

const lines = (pod: Pod) => validatePod(pod).map((c) => `${c.field}: ${c.message}`);
const C = 'spec.containers[0].securityContext.seccompProfile';
const P = 'spec.securityContext.seccompProfile';

const cases: [string, unknown, unknown, string[]][] = [
  ['accepts RuntimeDefault, Unconfined and a relative Localhost profile', { type: 'RuntimeDefault' }, { type: 'Localhost', localhostProfile: 'a/b.json' }, []],
  ['accepts Unconfined on a container', undefined, { type: 'Unconfined' }, []],
  ['requires a type', undefined, {}, [`${C}.type: Required value: type is required when seccompProfile is set`]],
  ['rejects an unknown type with the supported values', { type: 'runtime/default' }, undefined, [
    `${P}.type: Unsupported value: "runtime/default": supported values: "Localhost", "RuntimeDefault", "Unconfined"`,
  ]],
  ['requires localhostProfile for Localhost', undefined, { type: 'Localhost' }, [
    `${C}.localhostProfile: Required value: must be set when seccomp type is Localhost`,
  ]],
  ['rejects an absolute localhostProfile', { type: 'Localhost', localhostProfile: '/etc/p.json' }, undefined, [
    `${P}.localhostProfile: Invalid value: "/etc/p.json": must be a relative path`,
  ]],
  ['rejects a localhostProfile with ..', undefined, { type: 'Localhost', localhostProfile: 'a/../../p.json' }, [
    `${C}.localhostProfile: Invalid value: "a/../../p.json": must not contain '..'`,
  ]],
  ['rejects localhostProfile on other types', { type: 'RuntimeDefault', localhostProfile: 'p.json' }, undefined, [
    `${P}.localhostProfile: Invalid value: {"type":"RuntimeDefault","localhostProfile":"p.json"}: can only be set when seccomp type is Localhost`,
  ]],
];
for (const [name, podLevel, ctrLevel, want] of cases) {
  test(`seccompProfile validation ${name}`, () => assert.deepEqual(lines(podWith(podLevel, ctrLevel)), want));
}

test('seccompProfile validation covers ephemeral containers through the common container checks', () => {
  const pod = podWith();
  pod.spec.ephemeralContainers = [{ name: 'dbg', image: 'busybox', securityContext: { seccompProfile: { type: 'Localhost' } } }];
  assert.ok(lines(pod).includes('spec.ephemeralContainers[0].securityContext.seccompProfile.localhostProfile: Required value: must be set when seccomp type is Localhost'));
});
