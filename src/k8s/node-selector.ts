// Node selector terms against one node, as upstream's MatchNodeSelectorTerms: terms are ORed, a term's
// requirements ANDed, a term with none matches no node; matchExpressions read the node's labels,
// matchFields its metadata.name (the only field selectable). Gt and Lt compare integers parsed as Go's
// strconv.ParseInt parses them (a value that is not one matches nothing). Used by the scheduler's node
// affinity and by the volume binder's PV node affinity.

export interface NodeSelectorRequirement {
  key?: string;
  operator?: string;
  values?: string[];
}

export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

/** What of a node a selector reads. */
export interface NodeFacts {
  name: string;
  labels: Record<string, string>;
}

const INTEGER = /^[+-]?\d+$/;

/** One requirement against a node's value for its key (undefined when the node has none). */
function requirementMatches(r: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || values.length !== 1 || !INTEGER.test(value) || !INTEGER.test(values[0] ?? '')) return false;
      const have = Number(value);
      const want = Number(values[0]);
      return r.operator === 'Gt' ? have > want : have < want;
    }
    default:
      return false;
  }
}

function termMatches(t: NodeSelectorTerm, node: NodeFacts): boolean {
  const exprs = t.matchExpressions ?? [];
  const fields = t.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  return (
    exprs.every((r) => requirementMatches(r, Object.hasOwn(node.labels, r.key ?? '') ? node.labels[r.key ?? ''] : undefined)) &&
    fields.every((r) => r.key === 'metadata.name' && requirementMatches(r, node.name))
  );
}

/** Whether any of the terms matches the node. */
export function nodeSelectorTermsMatch(terms: readonly NodeSelectorTerm[], node: NodeFacts): boolean {
  return terms.some((t) => termMatches(t, node));
}
