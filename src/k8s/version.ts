// The Kubernetes version peapod implements: its API's /version and its kubelet's Node status report it.
// The /usr/bin/kubectl dispatcher on these machines runs the bundled kubectl whose minor matches it.

export interface KubeVersion {
  major: string;
  minor: string;
  gitVersion: string;
}

export const KUBE_VERSION: KubeVersion = { major: '1', minor: '33', gitVersion: 'v1.33.0' };
