// How deep a decoded request body may nest. Every walk over an object (validation, defaulting, merge and
// strategic patches, server-side apply's field sets, serialisation) recurses, and a body nested a few
// thousand levels deep would overflow the stack in one of them: a RangeError, so a 500 for a client's bad
// input. Go's JSON decoder, which the API server uses, stops at 10,000 levels ("exceeded max depth"); no
// Kubernetes object comes near the far smaller cap here (a CRD's schema is the deepest, tens of levels).

import { BadRequestError } from '../errors.js';

/** Objects and arrays a request body may nest, one inside the other. */
export const MAX_BODY_DEPTH = 1000;

/** Throws a 400 when `value` nests objects or arrays more than `max` levels deep; walks without recursion. */
export function checkNestingDepth(value: unknown, max = MAX_BODY_DEPTH): void {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > max) throw new BadRequestError(`the request body nests objects and arrays more than ${max} levels deep`);
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
}

/**
 * How deep a YAML body may nest, estimated from its text before it is parsed. The YAML parser recurses
 * once per level: "- - - … x" 50,000 levels deep overflowed its stack inside V8's regular-expression
 * compiler, which ends the process ("RegExpCompiler Allocation failed") instead of throwing. The cap is
 * under the JSON one because the parser's frames are larger; no manifest comes near it.
 */
export const MAX_YAML_DEPTH = 256;

/**
 * An upper estimate of a YAML text's nesting, without parsing: per line, the block levels open (a stack of
 * indentations), plus the compact indicators that open a level on the same line ("- - x", "? ", "key: - x"),
 * plus the flow brackets ([ and {) still open. Quotes and comments are not understood: a bracket inside a
 * string counts, so the estimate errs high, never low.
 */
export function yamlNestingEstimate(text: string): number {
  const indents: number[] = [];
  let flow = 0;
  let max = 0;
  for (const line of text.split('\n')) {
    const body = line.trimStart();
    if (body === '' || body.startsWith('#')) continue;
    const indent = line.length - body.length;
    while (indents.length && indents[indents.length - 1]! >= indent) indents.pop();
    indents.push(indent);
    let compact = 0;
    for (const m of body.matchAll(/(?:^|\s|:)[-?:](?=\s|$)/g)) if (m) compact++;
    for (let i = 0; i < body.length; i++) {
      const c = body.charCodeAt(i);
      if (c === 0x5b || c === 0x7b) flow++;
      else if ((c === 0x5d || c === 0x7d) && flow > 0) flow--;
      if (indents.length + compact + flow > max) max = indents.length + compact + flow;
    }
    if (indents.length + compact + flow > max) max = indents.length + compact + flow;
  }
  return max;
}

/** Throws a 400 when a YAML text may nest more than `max` levels (yamlNestingEstimate). */
export function checkYamlNesting(text: string, max = MAX_YAML_DEPTH): void {
  if (yamlNestingEstimate(text) > max) {
    throw new BadRequestError(`error converting YAML to JSON: the document nests more than ${max} levels deep`);
  }
}
