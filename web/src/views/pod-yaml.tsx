// The YAML tab: the pod as the API holds it, live from the view's watch, without metadata.managedFields
// (bookkeeping of who set which field, long and of no use to a reader).
import { useMemo } from 'preact/hooks';
import { stringify } from 'yaml';
import { KUBE_YAML } from '../../../src/k8s/yaml-schema.js';
import type { Pod } from './pod-model.js';

export function podYaml(pod: Pod): string {
  const { managedFields: _dropped, ...metadata } = pod.metadata;
  void _dropped;
  return stringify({ ...pod, metadata }, KUBE_YAML);
}

export function YamlTab({ pod }: { pod: Pod | undefined }) {
  const text = useMemo(() => (pod ? podYaml(pod) : ''), [pod]);
  if (!pod) return <p class="note">There is no pod to show.</p>;
  return (
    <pre data-testid="yaml" class="yaml" tabIndex={0} aria-label="The pod as YAML">
      {text}
    </pre>
  );
}
