// kubectl's JSONPath template dialect (k8s.io/client-go/util/jsonpath), written from its documented
// and observed behaviour: text outside `{}` is printed as is; inside, `.field`, `['key']`, `[i]`,
// slices `[a:b:c]` (negative from the end), `[*]`, `.*`, `..` (recursive descent), unions `[0,2]`,
// filters `[?(@.a=="x")]` (== != < > <= >=, or `[?(@.a)]` for existence), `{range X}...{end}`,
// quoted literals `{"\n"}`. Values that one `{}` yields are joined by a space; maps and lists print
// as Go's encoding/json does (sorted keys, `<>&` escaped), scalars as Go's fmt does.
//
// The data is JSON as the server sent it: a whole JS number is Go's int64, any other a float64, as
// kubectl's unstructured decoding makes them. Go iterates a map's keys in random order (`.*`, `..`);
// here they go in sorted order so output is stable.

/** A float literal of a template (`1.0`), kept apart from an int of the same value as Go keeps them. */
class FloatLit {
  constructor(readonly value: number) {}
}

type Value = unknown;

interface SliceParam {
  known: boolean;
  value: number;
  derived: boolean;
}

type Node =
  | { t: 'list'; nodes: Node[] }
  | { t: 'text'; text: string }
  | { t: 'field'; name: string }
  | { t: 'array'; params: [SliceParam, SliceParam, SliceParam] }
  | { t: 'filter'; left: ListNode; right: ListNode; op: string }
  | { t: 'int'; value: number }
  | { t: 'float'; value: number }
  | { t: 'bool'; value: boolean }
  | { t: 'wildcard' }
  | { t: 'recursive' }
  | { t: 'union'; nodes: ListNode[] }
  | { t: 'ident'; name: string };
type ListNode = { t: 'list'; nodes: Node[] };

/** A template that does not parse; the message is client-go's (`unclosed action`, ...). */
export class JsonPathParseError extends Error {}
/** A template that fails on the data (`array index out of bounds: ...`). */
export class JsonPathExecError extends Error {}

const isSpace = (c: string) => c === ' ' || c === '\t';
const isEndOfLine = (c: string) => c === '\r' || c === '\n';
const isDigit = (c: string) => /^\p{Nd}$/u.test(c);
const isAlphaNumeric = (c: string) => c === '_' || /^[\p{L}\p{Nd}]$/u.test(c);
function isTerminator(c: string): boolean {
  return c === '' || isSpace(c) || isEndOfLine(c) || '.,[]$@{}'.includes(c);
}

/** Go's %#U of one character: U+007B '{'. */
function goCharU(c: string): string {
  const cp = c.codePointAt(0) ?? 0;
  const hex = cp.toString(16).toUpperCase().padStart(4, '0');
  return isGoPrint(c) ? `U+${hex} '${c}'` : `U+${hex}`;
}

class Parser {
  private input = '';
  private pos = 0;
  private start = 0;
  private width = 0;
  root: ListNode = { t: 'list', nodes: [] };

  parse(text: string): ListNode {
    this.input = text;
    this.root = { t: 'list', nodes: [] };
    this.pos = 0;
    this.start = 0;
    this.parseText(this.root);
    return this.root;
  }

  private consume(): string {
    const v = this.input.slice(this.start, this.pos);
    this.start = this.pos;
    return v;
  }
  private next(): string {
    if (this.pos >= this.input.length) {
      this.width = 0;
      return '';
    }
    const cp = this.input.codePointAt(this.pos)!;
    const c = String.fromCodePoint(cp);
    this.width = c.length;
    this.pos += this.width;
    return c;
  }
  private peek(): string {
    const c = this.next();
    this.backup();
    return c;
  }
  private backup(): void {
    this.pos -= this.width;
  }
  private rest(): string {
    return this.input.slice(this.pos);
  }

  private parseText(cur: ListNode): void {
    for (;;) {
      if (this.rest().startsWith('{')) {
        if (this.pos > this.start) cur.nodes.push({ t: 'text', text: this.consume() });
        this.pos += 1;
        this.consume();
        const list: ListNode = { t: 'list', nodes: [] };
        cur.nodes.push(list);
        this.parseInsideAction(list);
        return;
      }
      if (this.next() === '') break;
    }
    if (this.pos > this.start) cur.nodes.push({ t: 'text', text: this.consume() });
  }

  // Iterative where client-go recurses: each step parses one element, then goes on in the same action.
  private parseInsideAction(cur: ListNode): void {
    for (;;) {
      const rest = this.rest();
      if (rest.startsWith('}')) {
        this.pos += 1;
        this.consume();
        this.parseText(this.root);
        return;
      }
      if (rest.startsWith('[?(')) {
        this.parseFilter(cur);
        continue;
      }
      if (rest.startsWith('..')) {
        this.parseRecursive(cur);
        continue;
      }
      const c = this.next();
      if (c === '' || isEndOfLine(c)) throw new JsonPathParseError('unclosed action');
      if (c === ' ' || c === '@' || c === '$') this.consume();
      else if (c === '[') this.parseArray(cur);
      else if (c === '"' || c === "'") this.parseQuote(cur, c);
      else if (c === '.') this.parseField(cur);
      else if (c === '+' || c === '-' || isDigit(c)) {
        this.backup();
        this.parseNumber(cur);
      } else if (isAlphaNumeric(c)) {
        this.backup();
        this.parseIdentifier(cur);
      } else throw new JsonPathParseError(`unrecognized character in action: ${goCharU(c)}`);
    }
  }

  private parseIdentifier(cur: ListNode): void {
    for (;;) {
      const c = this.next();
      if (isTerminator(c)) {
        this.backup();
        break;
      }
    }
    const v = this.consume();
    if (v === 'true' || v === 'false') cur.nodes.push({ t: 'bool', value: v === 'true' });
    else cur.nodes.push({ t: 'ident', name: v });
  }

  private parseRecursive(cur: ListNode): void {
    if (cur.nodes.at(-1)?.t === 'recursive') throw new JsonPathParseError('invalid multiple recursive descent');
    this.pos += 2;
    this.consume();
    cur.nodes.push({ t: 'recursive' });
    if (isAlphaNumeric(this.peek())) this.parseField(cur);
  }

  private parseNumber(cur: ListNode): void {
    const c = this.peek();
    if (c === '+' || c === '-') this.next();
    for (;;) {
      const d = this.next();
      if (d !== '.' && !isDigit(d)) {
        this.backup();
        break;
      }
    }
    const v = this.consume();
    if (/^[+-]?[0-9]+$/.test(v)) cur.nodes.push({ t: 'int', value: Number(v) });
    else if (/^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)$/.test(v)) cur.nodes.push({ t: 'float', value: Number(v) });
    else throw new JsonPathParseError(`cannot parse number ${v}`);
  }

  private parseArray(cur: ListNode): void {
    for (;;) {
      const c = this.next();
      if (c === '' || c === '\n') throw new JsonPathParseError('unterminated array');
      if (c === ']') break;
    }
    let text = this.consume().slice(1, -1);
    if (text === '*') text = ':';
    const parts = text.split(',');
    if (parts.length > 1) {
      const nodes = parts.map((s) => parseAction(`[${s.replace(/^ +| +$/g, '')}]`));
      cur.nodes.push({ t: 'union', nodes });
      return;
    }
    const key = /^'([^']*)'$/.exec(text);
    if (key) {
      cur.nodes.push(...parseAction(`.${key[1]}`).nodes);
      return;
    }
    const m = /^(-?[0-9]*)(:-?[0-9]*)?(:-?[0-9]*)?$/.exec(text);
    if (!m) throw new JsonPathParseError(`invalid array index ${text}`);
    const params: [SliceParam, SliceParam, SliceParam] = [
      { known: false, value: 0, derived: false }, { known: false, value: 0, derived: false }, { known: false, value: 0, derived: false },
    ];
    for (let i = 0; i < 3; i++) {
      let s = m[i + 1] ?? '';
      if (s !== '') {
        if (i > 0) s = s.slice(1);
        if (i > 0 && s === '') params[i].known = false;
        else {
          if (!/^[+-]?[0-9]+$/.test(s)) throw new JsonPathParseError(`array index ${s} is not a number`);
          params[i] = { known: true, value: Number(s), derived: false };
        }
      } else if (i === 1) params[i] = { known: true, value: params[0].value + 1, derived: true };
    }
    cur.nodes.push({ t: 'array', params });
  }

  private parseFilter(cur: ListNode): void {
    this.pos += 3;
    this.consume();
    let begin = false;
    let end = false;
    let pair = '';
    for (;;) {
      const c = this.next();
      if (c === '' || c === '\n') throw new JsonPathParseError('unterminated filter');
      if (c === '"' || c === "'") {
        if (!begin) {
          begin = true;
          pair = c;
          continue;
        }
        if (this.input[this.pos - 2] !== '\\' && c === pair) end = true;
      } else if (c === ')' && begin === end) break;
    }
    if (this.next() !== ']') throw new JsonPathParseError('unclosed array expect ]');
    const text = this.consume().slice(0, -2);
    const m = /^([^!<>=]+)([!<>=]+)(.+?)$/s.exec(text);
    if (!m) cur.nodes.push({ t: 'filter', left: parseAction(text), right: { t: 'list', nodes: [] }, op: 'exists' });
    else cur.nodes.push({ t: 'filter', left: parseAction(m[1]), right: parseAction(m[3]), op: m[2] });
  }

  private parseQuote(cur: ListNode, quote: string): void {
    for (;;) {
      const c = this.next();
      if (c === '' || c === '\n') throw new JsonPathParseError('unterminated quoted string');
      if (c === quote && this.input[this.pos - 2] !== '\\') break;
    }
    const raw = this.consume();
    const s = goUnquote(raw);
    if (s === undefined) throw new JsonPathParseError(`unquote string ${raw} error invalid syntax`);
    cur.nodes.push({ t: 'text', text: s });
  }

  private parseField(cur: ListNode): void {
    this.consume();
    for (;;) {
      const c = this.next();
      if (c === '\\') this.next();
      else if (isTerminator(c)) {
        this.backup();
        break;
      }
    }
    const v = this.consume();
    if (v === '*') cur.nodes.push({ t: 'wildcard' });
    else cur.nodes.push({ t: 'field', name: v.replaceAll('\\', '') });
  }
}

/** The nodes of one action's text (a filter's side, a union's member), as client-go's parseAction. */
function parseAction(text: string): ListNode {
  const root = new Parser().parse(`{${text}}`);
  return root.nodes[0] as ListNode;
}

/** Go's strconv.Unquote, extended (as client-go's) to single-quoted strings of any length. */
function goUnquote(s: string): string | undefined {
  if (s.length < 2) return undefined;
  const q = s[0];
  if ((q !== '"' && q !== "'") || s.at(-1) !== q) return undefined;
  const body = s.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; ) {
    const c = body[i];
    if (c === q) return undefined;
    if (c !== '\\') {
      out += c;
      i++;
      continue;
    }
    const e = body[i + 1];
    const simple: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' };
    if (e === undefined) return undefined;
    if (e in simple) {
      out += simple[e];
      i += 2;
    } else if (e === q) {
      out += q;
      i += 2;
    } else if (e === 'x' || e === 'u' || e === 'U') {
      const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = body.slice(i + 2, i + 2 + n);
      if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(hex)) return undefined;
      const cp = parseInt(hex, 16);
      if (cp > 0x10ffff) return undefined;
      out += e === 'x' ? Buffer.from([cp]).toString('latin1') : String.fromCodePoint(cp);
      i += 2 + n;
    } else if (/[0-7]/.test(e)) {
      const oct = body.slice(i + 1, i + 4);
      if (!/^[0-7]{3}$/.test(oct) || parseInt(oct, 8) > 255) return undefined;
      out += String.fromCharCode(parseInt(oct, 8));
      i += 4;
    } else return undefined;
  }
  return out;
}

/** A parsed template: parse once, execute on any number of values. */
export class JsonPath {
  private readonly root: ListNode;
  allowMissingKeys = true;

  constructor(readonly template: string) {
    this.root = new Parser().parse(template);
  }

  /** Every result list, one per element of the template (a text, a `{}`), ranges unrolled. */
  findResults(data: Value): Value[][] {
    return new Execution(this.root.nodes, this.allowMissingKeys).findResults(data, 0);
  }

  /** The output kubectl's -o jsonpath prints (no newline added). */
  execute(data: Value): string {
    return this.findResults(data).map((r) => r.map((v) => (isCollection(v) ? goJson(v) : goText(v))).join(' ')).join('');
  }

  /** The output of -o jsonpath-as-json: each result list as an indented JSON array. */
  executeAsJson(data: Value): string {
    return this.findResults(data).map((r) => `${goJson(r, '    ')}\n`).join('');
  }
}

function isCollection(v: Value): boolean {
  return v !== null && typeof v === 'object' && !(v instanceof FloatLit);
}

class Execution {
  private beginRange = 0;
  private inRange = 0;
  private endRange = 0;
  private lastEnd = -1;

  constructor(private readonly nodes: Node[], private readonly allowMissing: boolean) {}

  // client-go's range machinery: `range` opens a loop over the results of its action, run on the
  // nodes after it until an `end` closes it; a nested range counts up the same way.
  findResults(data: Value, start: number): Value[][] {
    const full: Value[][] = [];
    for (let i = start; i < this.nodes.length; i++) {
      const results = this.walk([data], this.nodes[i]);
      if (this.endRange > 0 && this.endRange <= this.inRange) {
        this.endRange--;
        this.lastEnd = i;
        break;
      }
      if (this.beginRange > 0) {
        this.beginRange--;
        this.inRange++;
        if (results.length > 0) for (const v of results) full.push(...this.findResults(v, i + 1));
        else this.findResults(undefined, i + 1);
        this.inRange--;
        for (let k = i + 1; k < this.nodes.length; k++) {
          if (k === this.lastEnd) {
            i = k;
            break;
          }
        }
        continue;
      }
      full.push(results);
    }
    return full;
  }

  private walk(input: Value[], node: Node): Value[] {
    switch (node.t) {
      case 'list': {
        let cur = input;
        for (const n of node.nodes) cur = this.walk(cur, n);
        return cur;
      }
      case 'text':
        return [node.text];
      case 'field':
        return this.field(input, node.name);
      case 'array':
        return this.array(input, node.params);
      case 'filter':
        return this.filter(input, node);
      case 'int':
        return input.map(() => node.value);
      case 'float':
        return input.map(() => new FloatLit(node.value));
      case 'bool':
        return input.map(() => node.value);
      case 'wildcard':
        return input.flatMap((v) => children(v) ?? []);
      case 'recursive':
        return recursive(input);
      case 'union':
        return node.nodes.flatMap((l) => this.walk(input, l));
      case 'ident':
        if (node.name === 'range') {
          this.beginRange++;
          return input;
        }
        if (node.name === 'end') {
          if (this.inRange > 0) {
            this.endRange++;
            return [];
          }
          throw new JsonPathExecError('not in range, nothing to end');
        }
        throw new JsonPathExecError(`unrecognized identifier ${node.name}`);
    }
  }

  private field(input: Value[], name: string): Value[] {
    const out: Value[] = [];
    for (const v of input) {
      if (isMap(v) && Object.hasOwn(v, name)) out.push(v[name]);
    }
    if (out.length === 0 && input.length > 0 && !this.allowMissing) throw new JsonPathExecError(`${name} is not found`);
    return out;
  }

  private array(input: Value[], p: [SliceParam, SliceParam, SliceParam]): Value[] {
    const out: Value[] = [];
    for (const v of input) {
      if (v === null || v === undefined) continue;
      if (!Array.isArray(v)) throw new JsonPathExecError(`${goTypeName(v)} is not array or slice`);
      const len = v.length;
      let from = p[0].known ? p[0].value : 0;
      if (from < 0) from += len;
      let to = p[1].known ? p[1].value : len;
      if (to < 0 || (to === 0 && p[1].derived)) to += len;
      if (to === from) return out;
      if (from >= len || from < 0) throw new JsonPathExecError(`array index out of bounds: index ${from}, length ${len}`);
      if (to > len || to < 0) throw new JsonPathExecError(`array index out of bounds: index ${to - 1}, length ${len}`);
      if (from > to) throw new JsonPathExecError(`starting index ${from} is greater than ending index ${to}`);
      let step = 1;
      if (p[2].known) {
        if (p[2].value <= 0) throw new JsonPathExecError('step must be > 0');
        step = p[2].value;
      }
      for (let i = from; i < to; i += step) out.push(v[i]);
    }
    return out;
  }

  private filter(input: Value[], node: { left: ListNode; right: ListNode; op: string }): Value[] {
    const out: Value[] = [];
    for (const v of input) {
      if (!Array.isArray(v)) throw new JsonPathExecError(`${goSprint(v)} is not array or slice and cannot be filtered`);
      for (const item of v) {
        let lefts: Value[];
        let leftErr: unknown;
        try {
          lefts = this.walk([item], node.left);
        } catch (e) {
          lefts = [];
          leftErr = e;
        }
        if (node.op === 'exists') {
          if (lefts.length > 0) out.push(item);
          continue;
        }
        if (leftErr) throw leftErr;
        if (lefts.length === 0) continue;
        if (lefts.length > 1) throw new JsonPathExecError('can only compare one element at a time');
        const rights = this.walk([item], node.right);
        if (rights.length === 0) continue;
        if (rights.length > 1) throw new JsonPathExecError('can only compare one element at a time');
        if (compare(lefts[0], rights[0], node.op)) out.push(item);
      }
    }
    return out;
  }
}

function isMap(v: Value): v is Record<string, Value> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof FloatLit);
}

/** A value's elements as Go's reflection walks them (`.*`, `..`): map values, list items, a string's bytes. */
function children(v: Value): Value[] | undefined {
  if (Array.isArray(v)) return v;
  if (isMap(v)) return sortedKeys(v).map((k) => v[k]);
  if (typeof v === 'string') return [...Buffer.from(v, 'utf8')];
  return undefined;
}

function recursive(input: Value[]): Value[] {
  const out: Value[] = [];
  for (const v of input) {
    if (v === null || v === undefined) continue;
    const kids = children(v);
    if (kids && kids.length > 0) out.push(v, ...recursive(kids));
  }
  return out;
}

type Kind = 'bool' | 'int' | 'float' | 'string' | 'invalid';
function kindOf(v: Value): Kind {
  if (typeof v === 'boolean') return 'bool';
  if (v instanceof FloatLit) return 'float';
  if (typeof v === 'number') return isGoInt(v) ? 'int' : 'float';
  if (typeof v === 'string') return 'string';
  return 'invalid';
}
const num = (v: Value): number => (v instanceof FloatLit ? v.value : (v as number));

/** Go text/template's eq/ne/lt/le/gt/ge as client-go's filters use them. */
function compare(a: Value, b: Value, op: string): boolean {
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (!['==', '!=', '<', '>', '<=', '>='].includes(op)) throw new JsonPathExecError(`unrecognized filter operator ${op}`);
  if (ka === 'invalid' || kb === 'invalid') throw new JsonPathExecError('invalid type for comparison');
  if (ka !== kb) throw new JsonPathExecError('incompatible types for comparison');
  if (op === '==' || op === '!=') {
    const eq = ka === 'int' || ka === 'float' ? num(a) === num(b) : a === b;
    return op === '==' ? eq : !eq;
  }
  if (ka === 'bool') throw new JsonPathExecError('invalid type for comparison');
  const x = ka === 'string' ? (a as string) : num(a);
  const y = kb === 'string' ? (b as string) : num(b);
  const less = ka === 'string' ? compareGoStrings(x as string, y as string) < 0 : x < y;
  const eq = x === y;
  switch (op) {
    case '<':
      return less;
    case '<=':
      return less || eq;
    case '>':
      return !less && !eq;
    default:
      return !less;
  }
}

// ---- Go's printing of values, as kubectl prints them -------------------------------------------

function isGoInt(x: number): boolean {
  return Number.isInteger(x) && Math.abs(x) < 2 ** 63 && !Object.is(x, -0);
}

/** Compare as Go compares strings (by UTF-8 bytes, the same order as code points). */
export function compareGoStrings(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0)! - y[i].codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

function sortedKeys(m: Record<string, Value>): string[] {
  return Object.keys(m).sort(compareGoStrings);
}

/** A number as Go's fmt %v prints it: int64 plainly, float64 as strconv's 'g' with shortest digits. */
export function goNumber(x: number, float = !isGoInt(x)): string {
  if (!float) return Object.is(x, -0) ? '0' : BigInt(x).toString();
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : '-Inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const [mant, expS] = x.toExponential().split('e');
  const exp = Number(expS);
  if (exp < -4 || exp >= 6) {
    const digits = Math.abs(exp) < 10 ? `0${Math.abs(exp)}` : String(Math.abs(exp));
    return `${mant}e${exp < 0 ? '-' : '+'}${digits}`;
  }
  return String(x);
}

/** A scalar as kubectl's jsonpath prints it (fmt.Fprint; a JSON null prints as null). */
function goText(v: Value): string {
  if (v === null || v === undefined) return 'null';
  if (v instanceof FloatLit) return goNumber(v.value, true);
  if (typeof v === 'number') return goNumber(v);
  return String(v);
}

/** The Go type name kubectl's errors name for a value. */
function goTypeName(v: Value): string {
  if (isMap(v)) return 'map[string]interface {}';
  if (Array.isArray(v)) return '[]interface {}';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (v instanceof FloatLit) return 'float64';
  if (typeof v === 'number') return isGoInt(v) ? 'int64' : 'float64';
  return 'interface {}';
}

function goJsonString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (cp < 0x20 || ch === '<' || ch === '>' || ch === '&' || cp === 0x2028 || cp === 0x2029) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else if (cp >= 0xd800 && cp <= 0xdfff) out += '\ufffd';
    else out += ch;
  }
  return `${out}"`;
}

/** Go's json.Marshal (indent empty) or json.MarshalIndent(v, "", indent). */
export function goJson(v: Value, indent = '', depth = 0): string {
  const nl = indent ? `\n${indent.repeat(depth + 1)}` : '';
  const close = indent ? `\n${indent.repeat(depth)}` : '';
  const sep = indent ? ': ' : ':';
  if (v === null || v === undefined) return 'null';
  if (v instanceof FloatLit) return goJsonNumber(v.value);
  if (typeof v === 'number') return goJsonNumber(v);
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return goJsonString(v);
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return `[${v.map((x) => nl + goJson(x, indent, depth + 1)).join(',')}${close}]`;
  }
  const m = v as Record<string, Value>;
  const keys = sortedKeys(m);
  if (keys.length === 0) return '{}';
  return `{${keys.map((k) => `${nl}${goJsonString(k)}${sep}${goJson(m[k], indent, depth + 1)}`).join(',')}${close}}`;
}

function goJsonNumber(x: number): string {
  if (isGoInt(x)) return BigInt(x).toString();
  return String(x); // JavaScript's number to string is encoding/json's float64 format
}

/** Go's fmt %v of a decoded JSON value (custom-columns cells): map[a:1 b:[x y]]. */
export function goSprint(v: Value): string {
  if (v === null || v === undefined) return '<nil>';
  if (v instanceof FloatLit) return goNumber(v.value, true);
  if (typeof v === 'number') return goNumber(v);
  if (typeof v === 'boolean' || typeof v === 'string') return String(v);
  if (Array.isArray(v)) return `[${v.map(goSprint).join(' ')}]`;
  const m = v as Record<string, Value>;
  return `map[${sortedKeys(m).map((k) => `${k}:${goSprint(m[k])}`).join(' ')}]`;
}

/** unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
function isGoPrint(ch: string): boolean {
  return ch === ' ' || /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(ch);
}

/** Go's strconv.Quote. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (isGoPrint(ch)) out += ch;
    else if (ch === '\x07') out += '\\a';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\v') out += '\\v';
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp >= 0xd800 && cp <= 0xdfff) out += '\\ufffd';
    else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}

/** Go's fmt %#v of a decoded JSON value, as kubectl's jsonpath error shows the object. */
export function goSharpV(v: Value): string {
  if (v === null || v === undefined) return 'interface {}(nil)';
  if (typeof v === 'number') return goNumber(v);
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return goQuote(v);
  if (Array.isArray(v)) return `[]interface {}{${v.map((x) => goSharpV(x)).join(', ')}}`;
  const m = v as Record<string, Value>;
  return `map[string]interface {}{${sortedKeys(m).map((k) => `${goQuote(k)}:${goSharpV(m[k])}`).join(', ')}}`;
}

/**
 * kubectl's error for a template that fails on the object: the message, the template, and the object
 * as Go prints it (%#v), which kubectl prints on stderr after `error: `.
 */
export function jsonPathExecMessage(template: string, err: Error, data: Value): string {
  return `error executing jsonpath ${goQuote(template)}: Error executing template: ${err.message}. Printing more information for debugging the template:\n` +
    `\ttemplate was:\n\t\t${template}\n\tobject given to jsonpath engine was:\n\t\t${goSharpV(data)}\n\n`;
}
