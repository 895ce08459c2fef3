import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ctr, makePod } from '../pods/test-fixtures.js';
import type { Container, Pod, Volume } from '../k8s/types.js';
import { emptyDirMedium } from './empty-dir.js';

const MI = 1024 * 1024;
/** A pod of containers c0, c1… (and init containers i0, i1…) with these fields. */
const pod = (containers: Partial<Container>[], volumes: Volume[] = [], initContainers: Partial<Container>[] = []): Pod =>
  makePod({ containers: containers.map((c, i) => ctr(`c${i}`, c)), initContainers: initContainers.map((c, i) => ctr(`i${i}`, c)), volumes });
const mem = (limit?: string) => (limit ? { resources: { limits: { memory: limit } } } : {});

test('emptyDir medium "" is the disk', () => {
  assert.deepEqual(emptyDirMedium({}, pod([{}]), 8 * 1024 * MI), { kind: 'disk' });
});

test('Memory: the node memory, else the pod memory limit when every container sets one, else a smaller sizeLimit', () => {
  const node = 8 * 1024 * MI;
  assert.deepEqual(emptyDirMedium({ medium: 'Memory' }, pod([{}]), node), { kind: 'tmpfs', sizeBytes: node });
  assert.deepEqual(emptyDirMedium({ medium: 'Memory' }, pod([mem('64Mi'), mem('32Mi')]), node), { kind: 'tmpfs', sizeBytes: 96 * MI });
  assert.deepEqual(emptyDirMedium({ medium: 'Memory' }, pod([mem('64Mi'), {}]), node), { kind: 'tmpfs', sizeBytes: node }, 'one container unlimited: no pod limit');
  assert.deepEqual(emptyDirMedium({ medium: 'Memory' }, pod([mem('64Mi')], [], [{}]), node), { kind: 'tmpfs', sizeBytes: node }, 'an unlimited init container counts');
  assert.deepEqual(emptyDirMedium({ medium: 'Memory', sizeLimit: '16Mi' }, pod([mem('64Mi')]), node), { kind: 'tmpfs', sizeBytes: 16 * MI });
  assert.deepEqual(emptyDirMedium({ medium: 'Memory', sizeLimit: '1Gi' }, pod([mem('64Mi')]), node), { kind: 'tmpfs', sizeBytes: 64 * MI }, 'a larger sizeLimit does not raise it');
  assert.deepEqual(emptyDirMedium({ medium: 'Memory', sizeLimit: '0' }, pod([{}]), node), { kind: 'tmpfs', sizeBytes: node });
});

test('HugePages: the page size the pod requests; HugePages-<size> must match one of them', () => {
  const huge = (sizes: Record<string, string>) => ({ resources: { requests: { memory: '1Gi', ...sizes }, limits: { memory: '1Gi', ...sizes } } });
  assert.deepEqual(emptyDirMedium({ medium: 'HugePages' }, pod([huge({ 'hugepages-2Mi': '4Mi' })]), 0), { kind: 'hugetlbfs', pageSizeBytes: 2 * MI });
  assert.deepEqual(emptyDirMedium({ medium: 'HugePages-1Gi' }, pod([huge({ 'hugepages-2Mi': '4Mi', 'hugepages-1Gi': '1Gi' })]), 0), { kind: 'hugetlbfs', pageSizeBytes: 1024 * MI });
  assert.throws(() => emptyDirMedium({ medium: 'HugePages' }, pod([huge({ 'hugepages-2Mi': '4Mi', 'hugepages-1Gi': '1Gi' })]), 0), {
    message: "medium: HugePages can't be used if container requests multiple huge page sizes",
  });
  assert.throws(() => emptyDirMedium({ medium: 'HugePages-1Gi' }, pod([huge({ 'hugepages-2Mi': '4Mi' })]), 0), {
    message: 'medium HugePages-1Gi: hugePages storage requested, but there is no resource request for huge pages',
  });
  assert.deepEqual(emptyDirMedium({ medium: 'HugePages' }, pod([{}], [], [huge({ 'hugepages-2Mi': '2Mi' })]), 0), { kind: 'hugetlbfs', pageSizeBytes: 2 * MI }, 'init containers count');
});

test('an unknown medium is refused as the kubelet refuses it', () => {
  assert.throws(() => emptyDirMedium({ medium: 'memory' }, pod([{}]), 0), { message: 'unknown storage medium "memory"' });
});
