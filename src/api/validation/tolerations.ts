// spec.tolerations validation (upstream ValidateTolerations).

import type { FieldCause } from '../../errors.js';
import { asArray, asObject, invalid, invalidEach, notSupported, str } from './field.js';
import { isQualifiedName, isValidLabelValue } from './names.js';

const EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

export function validateTolerations(tolerations: unknown, field: string): FieldCause[] {
  const errs: FieldCause[] = [];
  asArray(tolerations).forEach((raw, i) => {
    const t = asObject(raw);
    const p = `${field}[${i}]`;
    const key = str(t.key);
    const operator = str(t.operator);
    const effect = str(t.effect);
    if (key) errs.push(...invalidEach(`${p}.key`, key, isQualifiedName(key)));
    if (!key && operator !== 'Exists') {
      errs.push(invalid(`${p}.operator`, operator, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null && effect !== 'NoExecute') {
      errs.push(invalid(`${p}.effect`, effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    if (operator === 'Equal' || operator === '') {
      const msgs = isValidLabelValue(str(t.value));
      if (msgs.length) errs.push(invalid(`${p}.operator`, str(t.value), msgs.join(';')));
    } else if (operator === 'Exists') {
      if (str(t.value)) errs.push(invalid(`${p}.operator`, t, "value must be empty when `operator` is 'Exists'"));
    } else {
      errs.push(notSupported(`${p}.operator`, operator, ['Equal', 'Exists']));
    }
    if (effect && !EFFECTS.includes(effect)) errs.push(notSupported(`${p}.effect`, effect, EFFECTS));
  });
  return errs;
}
