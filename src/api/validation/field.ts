// FieldCause builders with the API server's wording (k8s.io/apimachinery/pkg/util/validation/field).
// The message is upstream's ErrorBody(): `<Type>[: <value>][: <detail>]`; InvalidError prefixes the field.
// Values print as Go does: strings quoted, numbers and booleans bare, null as `null`.

import type { FieldCause } from '../../errors.js';

function repr(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function withDetail(head: string, detail: string): string {
  return detail ? `${head}: ${detail}` : head;
}

export function required(field: string, detail = ''): FieldCause {
  return { type: 'FieldValueRequired', field, message: withDetail('Required value', detail) };
}

export function invalid(field: string, value: unknown, detail: string): FieldCause {
  return { type: 'FieldValueInvalid', field, message: withDetail(`Invalid value: ${repr(value)}`, detail) };
}

export function notSupported(field: string, value: unknown, valid: readonly string[]): FieldCause {
  const detail = valid.length ? `supported values: ${valid.map((v) => JSON.stringify(v)).join(', ')}` : '';
  return { type: 'FieldValueNotSupported', field, message: withDetail(`Unsupported value: ${repr(value)}`, detail) };
}

export function duplicate(field: string, value: unknown): FieldCause {
  return { type: 'FieldValueDuplicate', field, message: `Duplicate value: ${repr(value)}` };
}

export function notFound(field: string, value: unknown): FieldCause {
  return { type: 'FieldValueNotFound', field, message: `Not found: ${repr(value)}` };
}

export function forbidden(field: string, detail: string): FieldCause {
  return { type: 'FieldValueForbidden', field, message: withDetail('Forbidden', detail) };
}

export function tooLong(field: string, maxBytes: number): FieldCause {
  return { type: 'FieldValueTooLong', field, message: `Too long: may not be more than ${maxBytes} bytes` };
}

/** One Invalid cause per message of an `is*` name check. */
export function invalidEach(field: string, value: unknown, messages: string[]): FieldCause[] {
  return messages.map((m) => invalid(field, value, m));
}

// --- small shape helpers shared by the validators (bodies arrive as untrusted JSON) ---

export type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function asObject(v: unknown): Json {
  return isObject(v) ? v : {};
}

export function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}
