// How Kubernetes reads YAML: kubectl, kube-apiserver and the kubelet all go through sigs.k8s.io/yaml,
// which is go-yaml v2, a YAML 1.1 reader. So `defaultMode: 0400` is octal (256), `yes`/`no`/`on`/`off`/
// `y`/`n` are booleans (keys too: `n:` becomes "false" in the JSON), `0x1F` and `0b101` are ints, and, as
// go-yaml v2 hands its ints to Go's strconv.ParseInt with base 0, so are `0o17`, `0X1F` and `0B101`. A YAML
// 1.2 reader (the yaml package's default) would read 0400 as four hundred: a mode that silently differs from
// what the same manifest gives on a cluster. go-yaml v2 reads neither sexagesimal numbers (`10:30` stays a
// string) nor timestamps into plain values (`2001-12-14` stays a string), and the yaml package's !!omap,
// !!pairs, !!set and !!binary would make what go-yaml does not (a set as {}, bytes as an object): those are
// left out. Written YAML uses the same options, so a string `"yes"` is quoted and reads back a string. No
// Node imports: the dashboard's page reads and writes YAML with the same options.

import type { DocumentOptions, ParseOptions, SchemaOptions, ToStringOptions } from 'yaml';

type TagsFn = Extract<SchemaOptions['customTags'], (...a: never[]) => unknown>;
type Tags = Parameters<TagsFn>[0];

const LEFT_OUT = new Set(['tag:yaml.org,2002:timestamp', 'tag:yaml.org,2002:omap', 'tag:yaml.org,2002:pairs', 'tag:yaml.org,2002:set', 'tag:yaml.org,2002:binary']);

/** An int in a Go prefix form go-yaml v2 takes and YAML 1.1 does not name (read only: ints are written in decimal). */
function goInt(format: string, test: RegExp, radix: number) {
  return {
    tag: 'tag:yaml.org,2002:int',
    format,
    default: true,
    test,
    identify: () => false,
    resolve: (text: string) => {
      const sign = text.startsWith('-') ? -1 : 1;
      return sign * parseInt(text.replace(/^[-+]?0[oOxXbB]/, '').replace(/_/g, ''), radix);
    },
  };
}

const GO_INTS = [goInt('GO-OCT', /^[-+]?0[oO][0-7_]+$/, 8), goInt('GO-HEX', /^[-+]?0X[0-9a-fA-F_]+$/, 16), goInt('GO-BIN', /^[-+]?0B[01_]+$/, 2)];

export const KUBE_YAML: ParseOptions & DocumentOptions & SchemaOptions & ToStringOptions = {
  version: '1.1',
  customTags: (tags: Tags): Tags => [
    ...GO_INTS,
    ...tags.filter((t) => typeof t !== 'object' || (t.format !== 'TIME' && !LEFT_OUT.has(t.tag))),
  ],
};
