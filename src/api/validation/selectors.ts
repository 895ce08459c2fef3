// Label selectors (apimachinery meta/v1 ValidateLabelSelector) and node selectors (core ValidateNodeSelector,
// as PersistentVolume.spec.nodeAffinity.required uses them), with the API server's wording.

import type { FieldCause } from '../../errors.js';
import { asArray, asObject, forbidden, invalid, invalidEach, isObject, required, str } from './field.js';
import { validateLabels } from './meta.js';
import { isQualifiedName, isValidLabelValue, validateObjectName } from './names.js';

const IN_VALUES = "must be specified when `operator` is 'In' or 'NotIn'";
const EXISTS_VALUES = "may not be specified when `operator` is 'Exists' or 'DoesNotExist'";
const BAD_OPERATOR = 'not a valid selector operator';

function labelValues(values: unknown[], field: string): FieldCause[] {
  const errs: FieldCause[] = [];
  values.forEach((v, i) => errs.push(...invalidEach(`${field}[${i}]`, str(v), isValidLabelValue(str(v)))));
  return errs;
}

/** A metav1.LabelSelector (matchLabels and matchExpressions); nothing to check when absent. */
export function validateLabelSelector(selector: unknown, field: string): FieldCause[] {
  if (!isObject(selector)) return [];
  const errs = validateLabels(selector.matchLabels, `${field}.matchLabels`);
  asArray(selector.matchExpressions).forEach((raw, i) => {
    const req = asObject(raw);
    const p = `${field}.matchExpressions[${i}]`;
    const values = asArray(req.values);
    switch (req.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) errs.push(required(`${p}.values`, IN_VALUES));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) errs.push(forbidden(`${p}.values`, EXISTS_VALUES));
        break;
      default:
        errs.push(invalid(`${p}.operator`, str(req.operator), BAD_OPERATOR));
    }
    errs.push(...invalidEach(`${p}.key`, str(req.key), isQualifiedName(str(req.key))));
    errs.push(...labelValues(values, `${p}.values`));
  });
  return errs;
}

function validateNodeSelectorRequirement(req: Record<string, unknown>, field: string): FieldCause[] {
  const errs: FieldCause[] = [];
  const values = asArray(req.values);
  switch (req.operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) errs.push(required(`${field}.values`, IN_VALUES));
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length > 0) errs.push(forbidden(`${field}.values`, EXISTS_VALUES));
      break;
    case 'Gt':
    case 'Lt':
      if (values.length !== 1) errs.push(required(`${field}.values`, "must be specified single value when `operator` is 'Lt' or 'Gt'"));
      break;
    default:
      errs.push(invalid(`${field}.operator`, str(req.operator), BAD_OPERATOR));
  }
  errs.push(...invalidEach(`${field}.key`, str(req.key), isQualifiedName(str(req.key))));
  errs.push(...labelValues(values, `${field}.values`));
  return errs;
}

/** matchFields may only select metadata.name, with exactly one value for In/NotIn. */
function validateNodeFieldSelectorRequirement(req: Record<string, unknown>, field: string): FieldCause[] {
  const errs: FieldCause[] = [];
  const values = asArray(req.values);
  if (req.operator === 'In' || req.operator === 'NotIn') {
    if (values.length !== 1) {
      errs.push(required(`${field}.values`, "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"));
    }
  } else {
    errs.push(invalid(`${field}.operator`, str(req.operator), BAD_OPERATOR));
  }
  if (req.key !== 'metadata.name') {
    errs.push(invalid(`${field}.key`, str(req.key), 'not a valid field selector key'));
  } else {
    values.forEach((v, i) => errs.push(...invalidEach(`${field}.values[${i}]`, str(v), validateObjectName('subdomain', str(v), false))));
  }
  return errs;
}

/** A core NodeSelector (nodeSelectorTerms, at least one). */
export function validateNodeSelector(selector: unknown, field: string): FieldCause[] {
  const terms = asArray(asObject(selector).nodeSelectorTerms);
  const termsField = `${field}.nodeSelectorTerms`;
  if (terms.length === 0) return [required(termsField, 'must have at least one node selector term')];
  const errs: FieldCause[] = [];
  terms.forEach((raw, i) => {
    const term = asObject(raw);
    const p = `${termsField}[${i}]`;
    asArray(term.matchExpressions).forEach((r, j) => errs.push(...validateNodeSelectorRequirement(asObject(r), `${p}.matchExpressions[${j}]`)));
    asArray(term.matchFields).forEach((r, j) => errs.push(...validateNodeFieldSelectorRequirement(asObject(r), `${p}.matchFields[${j}]`)));
  });
  return errs;
}
