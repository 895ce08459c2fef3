// Semantic equality of decoded API objects, close to apimachinery's equality.Semantic.DeepEqual:
// absent, null, "", [] and {} are equal (Go decodes all of them to nil/empty), and resource quantities
// compare by value ("1" equals "1000m") under the keys that hold quantities.

import { compareQuantities, isValidQuantity } from '../../k8s/quantity.js';

const QUANTITY_PARENTS = new Set(['limits', 'requests', 'sizeLimit', 'divisor', 'overhead']);

function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === 'object' && Object.keys(v as object).length === 0;
}

function quantityEqual(a: unknown, b: unknown): boolean {
  if (!isValidQuantity(a) || !isValidQuantity(b)) return false;
  return compareQuantities(a as string | number, b as string | number) === 0;
}

/** Whether a and b are semantically equal; `key` is the field name holding them (for quantities). */
export function semanticEqual(a: unknown, b: unknown, key = ''): boolean {
  if (a === b) return true;
  const aEmpty = isEmpty(a);
  const bEmpty = isEmpty(b);
  if (aEmpty || bEmpty) {
    // {} and [] are distinct from null only for pointer-typed structs; both are "nothing set" here.
    return aEmpty && bEmpty;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => semanticEqual(x, b[i], key));
  }
  if (typeof a === 'object' && typeof b === 'object') {
    const ao = a as Record<string, unknown>;
    const bo = b as Record<string, unknown>;
    const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
    for (const k of keys) {
      const childKey = QUANTITY_PARENTS.has(key) ? key : k;
      if (!semanticEqual(ao[k], bo[k], childKey)) return false;
    }
    return true;
  }
  return QUANTITY_PARENTS.has(key) && quantityEqual(a, b);
}
