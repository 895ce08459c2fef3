// How Kubernetes reads YAML: kubectl, kube-apiserver and the kubelet all go through sigs.k8s.io/yaml,
// which is go-yaml v2, a YAML 1.1 reader. So `defaultMode: 0400` is octal (256), `yes`/`no`/`on`/`off`/
// `y`/`n` are booleans (keys too: `n:` becomes "false" in the JSON), `0x1F` and `0b101` are ints. A YAML 1.2
// reader (the yaml package's default) would read 0400 as four hundred: a mode that silently differs from
// what the same manifest gives on a cluster. go-yaml v2 reads neither sexagesimal numbers (`10:30` stays a
// string) nor timestamps into plain values (`2001-12-14` stays a string): those two YAML 1.1 forms are left
// out. No Node imports: the dashboard's page reads YAML with the same options.

import type { DocumentOptions, ParseOptions, SchemaOptions } from 'yaml';

type TagsFn = Extract<SchemaOptions['customTags'], (...a: never[]) => unknown>;
type Tags = Parameters<TagsFn>[0];

export const KUBE_YAML: ParseOptions & DocumentOptions & SchemaOptions = {
  version: '1.1',
  customTags: (tags: Tags): Tags =>
    tags.filter((t) => typeof t !== 'object' || (t.format !== 'TIME' && t.tag !== 'tag:yaml.org,2002:timestamp')),
};
