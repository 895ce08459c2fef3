// Label and field selectors: parsing the query-string forms Kubernetes accepts, and matching objects.
//
// Label selectors follow apimachinery's labels.Parse: terms separated by commas, each one of
// `k`, `!k`, `k=v`, `k==v`, `k!=v`, `k in (v1,v2)`, `k notin (v1)`; keys are qualified names and values
// label values. NotEquals and NotIn also match objects that lack the label (as upstream).
// Field selectors follow fields.ParseSelector: `f=v`, `f==v`, `f!=v`, with `\,` `\=` `\\` escapes in
// values; the field must be one the resource supports (ResourceInfo.fields).

import { BadRequestError } from '../errors.js';
import type { KubeObject } from '../k8s/types.js';
import type { FieldRequirement, LabelRequirement, ResourceInfo } from './store.js';

// ---- label selectors ----

type Token =
  | { kind: 'id'; text: string }
  | { kind: 'op'; text: '=' | '==' | '!=' | '!' | '(' | ')' | ',' | '<' | '>' };

const SPECIAL = new Set(['=', '!', '(', ')', ',', '<', '>']);

function tokenize(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '=' || c === '!') {
      const two = s.slice(i, i + 2);
      if (two === '==' || two === '!=') {
        out.push({ kind: 'op', text: two });
        i += 2;
      } else {
        out.push({ kind: 'op', text: c });
        i++;
      }
    } else if (SPECIAL.has(c)) {
      out.push({ kind: 'op', text: c as '(' | ')' | ',' | '<' | '>' });
      i++;
    } else {
      let j = i;
      while (j < s.length && !SPECIAL.has(s[j]!) && !/\s/.test(s[j]!)) j++;
      out.push({ kind: 'id', text: s.slice(i, j) });
      i = j;
    }
  }
  return out;
}

const NAME_RE = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why `key` is not a valid label key (a qualified name), or undefined when it is. */
export function labelKeyError(key: string): string | undefined {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined) {
    if (prefix.length === 0) return `invalid label key "${key}": prefix part must be non-empty`;
    if (prefix.length > 253 || !DNS_SUBDOMAIN_RE.test(prefix)) {
      return `invalid label key "${key}": prefix part must be a lowercase RFC 1123 subdomain`;
    }
  }
  if (name.length === 0) return `invalid label key "${key}": name part must be non-empty`;
  if (name.length > 63) return `invalid label key "${key}": name part must be no more than 63 characters`;
  if (!NAME_RE.test(name)) {
    return `invalid label key "${key}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`;
  }
  return undefined;
}

/** Why `value` is not a valid label value, or undefined when it is. */
export function labelValueError(value: string): string | undefined {
  if (value === '') return undefined;
  if (value.length > 63) return `invalid label value "${value}": must be no more than 63 characters`;
  if (!NAME_RE.test(value)) {
    return `invalid label value "${value}": must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`;
  }
  return undefined;
}

class LabelParser {
  private pos = 0;
  constructor(
    private readonly src: string,
    private readonly toks: Token[],
  ) {}

  fail(detail: string): never {
    throw new BadRequestError(`unable to parse label selector "${this.src}": ${detail}`);
  }
  peek(): Token | undefined {
    return this.toks[this.pos];
  }
  next(): Token | undefined {
    return this.toks[this.pos++];
  }

  parse(): LabelRequirement[] {
    const reqs: LabelRequirement[] = [];
    if (this.toks.length === 0) return reqs;
    for (;;) {
      reqs.push(this.term());
      const t = this.next();
      if (t === undefined) return reqs;
      if (t.kind !== 'op' || t.text !== ',') this.fail(`expected "," after a requirement, found "${t.text}"`);
    }
  }

  private key(): string {
    const t = this.next();
    if (t === undefined || t.kind !== 'id') this.fail(`expected a label key, found ${t ? `"${t.text}"` : 'end of string'}`);
    const err = labelKeyError(t.text);
    if (err) this.fail(err);
    return t.text;
  }

  private value(): string {
    const t = this.peek();
    if (t === undefined || t.kind !== 'id') return ''; // `k=` and `k in (a,)` mean the empty value
    this.pos++;
    const err = labelValueError(t.text);
    if (err) this.fail(err);
    return t.text;
  }

  private term(): LabelRequirement {
    const first = this.peek();
    if (first?.kind === 'op' && first.text === '!') {
      this.pos++;
      return { key: this.key(), operator: 'DoesNotExist', values: [] };
    }
    const key = this.key();
    const op = this.peek();
    if (op === undefined || (op.kind === 'op' && op.text === ',')) return { key, operator: 'Exists', values: [] };
    this.pos++;
    if (op.kind === 'id') {
      if (op.text === 'in') return { key, operator: 'In', values: this.set('in') };
      if (op.text === 'notin') return { key, operator: 'NotIn', values: this.set('notin') };
      this.fail(`expected an operator after "${key}", found "${op.text}"`);
    }
    switch (op.text) {
      case '=':
      case '==':
        return { key, operator: 'Equals', values: [this.value()] };
      case '!=':
        return { key, operator: 'NotEquals', values: [this.value()] };
      case '<':
      case '>':
        return this.fail(`operator "${op.text}" is not supported`);
      default:
        return this.fail(`expected an operator after "${key}", found "${op.text}"`);
    }
  }

  private set(opName: string): string[] {
    const open = this.next();
    if (open?.kind !== 'op' || open.text !== '(') this.fail(`expected "(" after "${opName}"`);
    const values: string[] = [];
    const close = this.peek();
    if (close?.kind === 'op' && close.text === ')') this.fail(`values set for "${opName}" can't be empty`);
    for (;;) {
      values.push(this.value());
      const t = this.next();
      if (t?.kind === 'op' && t.text === ')') return values;
      if (t?.kind !== 'op' || t.text !== ',') this.fail(`expected "," or ")" in the values of "${opName}"`);
    }
  }
}

/** Parses a label selector; the empty string selects everything. BadRequestError on bad syntax. */
export function parseLabelSelector(s: string): LabelRequirement[] {
  return new LabelParser(s, tokenize(s)).parse();
}

/** Whether an object's labels satisfy every requirement. */
export function matchesLabels(labels: Record<string, string> | undefined, reqs: LabelRequirement[]): boolean {
  for (const r of reqs) {
    const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key);
    const v = has ? labels![r.key] : undefined;
    switch (r.operator) {
      case 'Equals':
      case 'In':
        if (!has || !r.values.includes(v!)) return false;
        break;
      case 'NotEquals':
      case 'NotIn':
        if (has && r.values.includes(v!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
    }
  }
  return true;
}

// ---- field selectors ----

const FIELD_OPS = ['!=', '==', '='] as const;

/** Splits on unescaped commas (a backslash escapes the next character). */
function splitTerms(s: string): string[] {
  const terms: string[] = [];
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

function splitTerm(term: string): { field: string; op: (typeof FIELD_OPS)[number]; rest: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    if (term[i] === '\\') {
      i++;
      continue;
    }
    for (const op of FIELD_OPS) {
      if (term.startsWith(op, i)) return { field: term.slice(0, i), op, rest: term.slice(i + op.length) };
    }
  }
  return undefined;
}

function unescapeValue(selector: string, v: string): string {
  let out = '';
  for (let i = 0; i < v.length; i++) {
    const c = v[i]!;
    if (c === '\\') {
      const n = v[++i];
      if (n !== '\\' && n !== ',' && n !== '=') {
        throw new BadRequestError(`invalid field selector "${selector}": invalid escape sequence in "${v}"`);
      }
      out += n;
    } else if (c === ',' || c === '=') {
      throw new BadRequestError(`invalid field selector "${selector}": unescaped "${c}" in value "${v}"`);
    } else {
      out += c;
    }
  }
  return out;
}

/** Parses a field selector against the fields `info` supports; the empty string selects everything. */
export function parseFieldSelector(s: string, info: ResourceInfo): FieldRequirement[] {
  const reqs: FieldRequirement[] = [];
  if (s === '') return reqs;
  for (const term of splitTerms(s)) {
    if (term === '') continue;
    const parts = splitTerm(term);
    if (!parts) throw new BadRequestError(`invalid selector: "${s}"; can't understand "${term}"`);
    if (!Object.prototype.hasOwnProperty.call(info.fields, parts.field)) {
      throw new BadRequestError(`field label not supported: ${parts.field}`);
    }
    const value = unescapeValue(s, parts.rest);
    reqs.push({ field: parts.field, operator: parts.op === '!=' ? 'NotEquals' : 'Equals', value });
  }
  return reqs;
}

/** Reads one supported field; a missing value reads as "" (as upstream's fields.Set). */
export function fieldValue(obj: KubeObject, field: string, info: ResourceInfo): string {
  const getter = info.fields[field];
  return (getter ? getter(obj) : undefined) ?? '';
}

/** Whether every field requirement holds for `obj`. */
export function matchesFields(obj: KubeObject, reqs: FieldRequirement[], info: ResourceInfo): boolean {
  for (const r of reqs) {
    const v = fieldValue(obj, r.field, info);
    if ((r.operator === 'Equals') !== (v === r.value)) return false;
  }
  return true;
}
