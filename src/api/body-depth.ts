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
