// The 409 a conflicting apply answers (upstream's NewConflictError): reason Conflict, one
// FieldManagerConflict cause per field naming its manager, and a message listing them.

import { HttpStatusError } from '../api-errors.js';
import { members } from './field-set.js';
import { formatPath } from './path.js';
import type { Conflict, Managers } from './updater.js';

interface Cause {
  reason: 'FieldManagerConflict';
  message: string;
  field: string;
}

/** `"kubectl-client-side-apply" using v1`, `"kubectl"`, `"x" with subresource "status" using v1`. */
function printManager(entry: { manager: string; operation: string; apiVersion: string; subresource?: string }): string {
  let s = JSON.stringify(entry.manager);
  if (entry.subresource) s += ` with subresource ${JSON.stringify(entry.subresource)}`;
  if (entry.operation === 'Update') s += ` using ${entry.apiVersion}`;
  return s;
}

export function applyConflictError(conflicts: Conflict[], managers: Managers): HttpStatusError {
  const byManager = conflicts
    .map((c) => ({ who: printManager(managers.get(c.id)!), paths: members(c.set).map(formatPath) }))
    .sort((a, b) => (a.who < b.who ? -1 : a.who > b.who ? 1 : 0));
  const all = byManager.flatMap((m) => m.paths.map((p) => ({ who: m.who, path: p })));
  const message =
    all.length === 1
      ? `Apply failed with 1 conflict: conflict with ${all[0].who}: ${all[0].path}`
      : `Apply failed with ${all.length} conflicts: ${byManager.map((m) => [`conflicts with ${m.who}:`, ...m.paths.map((p) => `- ${p}`)].join('\n')).join('\n')}`;
  const causes: Cause[] = all.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${c.who}`, field: c.path }));
  return new HttpStatusError(409, 'Conflict', message, { causes } as HttpStatusError['details']);
}
