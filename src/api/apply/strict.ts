// Duplicate fields in an apply configuration, checked as upstream's applyPatcher does with a strict
// YAML decode when fieldValidation is Strict (400) or Warn (a warning); Ignore skips it.

import { parseDocument } from 'yaml';
import { BadRequestError } from '../../errors.js';
import type { RequestContext } from '../http.js';
import { fieldValidationMode } from '../resources/common.js';

/** The first duplicate key as sigs.k8s.io/yaml words it, or undefined. */
export function duplicateFieldError(text: string): string | undefined {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  const dup = doc.errors.find((e) => e.code === 'DUPLICATE_KEY');
  if (!dup) return undefined;
  const line = text.slice(0, dup.pos[0]).split('\n').length;
  let key = text.slice(dup.pos[0], dup.pos[1]).trim();
  if (/^["']/.test(key)) {
    try {
      key = JSON.parse(key.replace(/^'|'$/g, '"')) as string;
    } catch {
      key = key.slice(1, -1);
    }
  }
  return `error converting YAML to JSON: yaml: unmarshal errors:\n  line ${line}: key ${JSON.stringify(key)} already set in map`;
}

export function checkDuplicateFields(ctx: RequestContext, raw: Buffer): void {
  const mode = fieldValidationMode(ctx.query);
  if (mode === 'Ignore') return;
  const err = duplicateFieldError(raw.toString('utf8'));
  if (!err) return;
  if (mode === 'Strict') throw new BadRequestError(`error strict decoding patch: ${err}`);
  ctx.warnings.push(err);
}
