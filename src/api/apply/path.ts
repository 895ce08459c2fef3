// Path elements of a field path, in the string forms apiserver writes in FieldsV1 (sigs.k8s.io/
// structured-merge-diff): `f:<field>`, `k:{"name":"main"}` (an associative-list item by its key fields,
// sorted by name), `v:<json>` (a set member), `i:<n>` (an atomic list's item). The same strings are the
// identities used by field sets, so a path is an array of them.

export type Element = string;
export type Path = readonly Element[];

export function fieldElement(name: string): Element {
  return `f:${name}`;
}

/** An associative-list item by its key fields; fields are sorted by name, as upstream's FieldList.Sort. */
export function keyElement(fields: [string, unknown][]): Element {
  const sorted = [...fields].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `k:{${sorted.map(([n, v]) => `${JSON.stringify(n)}:${JSON.stringify(v)}`).join(',')}}`;
}

export function valueElement(v: unknown): Element {
  return `v:${JSON.stringify(v)}`;
}

export function indexElement(i: number): Element {
  return `i:${i}`;
}

export function isValidElement(e: string): boolean {
  return /^[fkvi]:/.test(e);
}

/** The field name of an `f:` element, else undefined. */
export function fieldName(e: Element): string | undefined {
  return e.startsWith('f:') ? e.slice(2) : undefined;
}

/** Upstream's value.ToString: strings quoted, numbers and booleans as they are, i.e. JSON. */
const showValue = (v: unknown): string => JSON.stringify(v);

/** One element as upstream prints paths in conflict messages: `.image`, `[name="main"]`, `[=x]`, `[0]`. */
export function formatElement(e: Element): string {
  const rest = e.slice(2);
  switch (e[0]) {
    case 'f':
      return `.${rest}`;
    case 'k': {
      const fields = Object.entries(JSON.parse(rest) as Record<string, unknown>);
      return `[${fields.map(([n, v]) => `${n}=${showValue(v)}`).join(',')}]`;
    }
    case 'v':
      return `[=${showValue(JSON.parse(rest))}]`;
    default:
      return `[${rest}]`;
  }
}

export function formatPath(path: Path): string {
  return path.map(formatElement).join('');
}

const TYPE_ORDER: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };

function valueRank(v: unknown): number {
  if (typeof v === 'number') return 0;
  if (typeof v === 'string') return 1;
  if (typeof v === 'boolean') return 2;
  if (Array.isArray(v)) return 3;
  if (v !== null && typeof v === 'object') return 4;
  return 5;
}

function compareValues(a: unknown, b: unknown): number {
  const ra = valueRank(a);
  const rb = valueRank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean') return Number(a) - Number(b);
  const sa = JSON.stringify(a);
  const sb = JSON.stringify(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

function compareKeys(a: Record<string, unknown>, b: Record<string, unknown>): number {
  const ea = Object.entries(a);
  const eb = Object.entries(b);
  for (let i = 0; ; i++) {
    if (i >= ea.length && i >= eb.length) return 0;
    if (i >= ea.length) return -1;
    if (i >= eb.length) return 1;
    if (ea[i][0] !== eb[i][0]) return ea[i][0] < eb[i][0] ? -1 : 1;
    const c = compareValues(ea[i][1], eb[i][1]);
    if (c !== 0) return c;
  }
}

/** Upstream's PathElement.Compare: fields, then keys, then values, then indexes. */
export function compareElements(a: Element, b: Element): number {
  if (a[0] === 'f' && b[0] === 'f') return a < b ? -1 : a > b ? 1 : 0;
  const ta = TYPE_ORDER[a[0]] ?? 4;
  const tb = TYPE_ORDER[b[0]] ?? 4;
  if (ta !== tb) return ta - tb;
  const ra = a.slice(2);
  const rb = b.slice(2);
  switch (a[0]) {
    case 'f':
      return ra < rb ? -1 : ra > rb ? 1 : 0;
    case 'k':
      return compareKeys(JSON.parse(ra) as Record<string, unknown>, JSON.parse(rb) as Record<string, unknown>);
    case 'v':
      return compareValues(JSON.parse(ra), JSON.parse(rb));
    case 'i':
      return Number(ra) - Number(rb);
    default:
      return ra < rb ? -1 : ra > rb ? 1 : 0;
  }
}
