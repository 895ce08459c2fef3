// Duplicate fields in an apply configuration, checked as upstream's applyPatcher does with a strict
// YAML decode when fieldValidation is Strict (400) or Warn (a warning); Ignore skips it.

import { isScalar, parseDocument, visit } from 'yaml';
import { KUBE_YAML } from '../../k8s/yaml-schema.js';
import { BadRequestError } from '../../errors.js';
import type { RequestContext } from '../http.js';
import { fieldValidationMode } from '../resources/common.js';

/** The first duplicate key as sigs.k8s.io/yaml words it, or undefined. */
export function duplicateFieldError(text: string): string | undefined {
  const doc = parseDocument(text, { ...KUBE_YAML, uniqueKeys: false });
  let found: { key: string; offset: number } | undefined;
  visit(doc, {
    Map(_, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        if (seen.has(key)) {
          found = { key, offset: isScalar(pair.key) ? (pair.key.range?.[0] ?? 0) : 0 };
          return visit.BREAK;
        }
        seen.add(key);
      }
      return undefined;
    },
  });
  if (!found) return undefined;
  const line = text.slice(0, found.offset).split('\n').length;
  return `error converting YAML to JSON: yaml: unmarshal errors:\n  line ${line}: key ${JSON.stringify(found.key)} already set in map`;
}

export function checkDuplicateFields(ctx: RequestContext, raw: Buffer): void {
  const mode = fieldValidationMode(ctx.query);
  if (mode === 'Ignore') return;
  const err = duplicateFieldError(raw.toString('utf8'));
  if (!err) return;
  if (mode === 'Strict') throw new BadRequestError(`error strict decoding patch: ${err}`);
  ctx.warnings.push(err);
}
