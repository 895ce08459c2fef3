import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerStatus, Pod } from '../k8s/types.js';
import { selectContainer, selectLogInstance } from './log-target.js';

function pod(containers: string[], statuses: ContainerStatus[] = [], mut: (p: Pod) => void = () => {}): Pod {
  const p: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default' },
    spec: { containers: containers.map((name) => ({ name })) },
    status: { containerStatuses: statuses },
  };
  mut(p);
  return p;
}
const st = (name: string, state: ContainerStatus['state'], restartCount = 0, lastState: ContainerStatus['lastState'] = {}): ContainerStatus => ({
  name,
  state,
  lastState,
  restartCount,
  ready: false,
  image: '',
  imageID: '',
});

test('the only container is chosen by default', () => assert.equal(selectContainer(pod(['a']), undefined), 'a'));
test('the default-container annotation wins', () =>
  assert.equal(selectContainer(pod(['a', 'b'], [], (p) => (p.metadata.annotations = { 'kubectl.kubernetes.io/default-container': 'b' })), undefined), 'b'));
test('several containers without a name are rejected with the choices', () =>
  assert.throws(() => selectContainer(pod(['a', 'b']), undefined), { message: 'a container name must be specified for pod p, choose one of: [a b]' }));
test('init containers are listed separately in the choices', () =>
  assert.throws(() => selectContainer(pod(['a', 'b'], [], (p) => (p.spec.initContainers = [{ name: 'i' }])), undefined), {
    message: 'a container name must be specified for pod p, choose one of: [a b] or one of the init containers: [i]',
  }));
test('an unknown container is rejected', () => assert.throws(() => selectContainer(pod(['a']), 'zz'), { message: 'container zz is not valid for pod p' }));

test('a running container reads its current instance', () =>
  assert.deepEqual(selectLogInstance(pod(['a'], [st('a', { running: {} }, 2)]), 'a', [0, 1, 2], false), { attempt: 2, running: true, containerID: undefined }));
test('a container being created is waiting to start', () =>
  assert.throws(() => selectLogInstance(pod(['a'], [st('a', { waiting: { reason: 'ContainerCreating' } })]), 'a', [], false), {
    message: 'container "a" in pod "p" is waiting to start: ContainerCreating',
  }));
test('a container without status is waiting to start', () =>
  assert.throws(() => selectLogInstance(pod(['a']), 'a', [], false), { message: 'container "a" in pod "p" is waiting to start: ContainerCreating' }));
test('a crash-looping container reads the last terminated instance', () =>
  assert.deepEqual(selectLogInstance(pod(['a'], [st('a', { waiting: { reason: 'CrashLoopBackOff' } }, 2, { terminated: { exitCode: 1 } })]), 'a', [0, 1], false), {
    attempt: 1,
    running: false,
    containerID: undefined,
  }));
test('previous reads the newest instance below the current one', () =>
  assert.equal(selectLogInstance(pod(['a'], [st('a', { running: {} }, 2, { terminated: { exitCode: 1 } })]), 'a', [0, 1, 2], true).attempt, 1));
test('previous without a terminated instance is not found', () =>
  assert.throws(() => selectLogInstance(pod(['a'], [st('a', { running: {} }, 0)]), 'a', [0], true), {
    message: 'previous terminated container "a" in pod "p" not found',
  }));
