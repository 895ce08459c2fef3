// Kubernetes resource quantities ("500m", "1Gi", "1e3", "0.5"), parsed exactly.
//
// Grammar (k8s.io/apimachinery resource.Quantity): an optionally signed decimal number followed by at most
// one suffix: a binary SI suffix (Ki Mi Gi Ti Pi Ei), a decimal SI suffix (n u m "" k M G T P E), or a
// decimal exponent (e3, E-2, e+6). Anything else is junk and throws. Values are kept as
// digits × 10^exp10 × 2^exp2 in BigInt so "0.1" → 100 milli exactly (floats would give 101 after ceil).

const QUANTITY_REGEX = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';

const BINARY_SUFFIXES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_SUFFIXES: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

/** An exact quantity: sign × digits × 10^exp10 × 2^exp2. */
interface ExactQuantity {
  negative: boolean;
  digits: bigint;
  exp10: number;
  exp2: number;
}

function junk(q: string | number): Error {
  return new Error(`quantity ${JSON.stringify(q)} is invalid: quantities must match the regular expression '${QUANTITY_REGEX}'`);
}

function parseNumberPart(s: string, q: string | number): { negative: boolean; digits: bigint; exp10: number } {
  const m = /^([+-]?)([0-9]*)(?:\.([0-9]*))?$/.exec(s);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw junk(q);
  const whole = m[2];
  const frac = m[3] ?? '';
  return { negative: m[1] === '-', digits: BigInt(whole + frac || '0'), exp10: -frac.length };
}

function parseExact(q: string | number): ExactQuantity {
  if (typeof q === 'number') {
    if (!Number.isFinite(q)) throw junk(q);
    q = String(q);
  }
  if (typeof q !== 'string') throw junk(q);
  const m = /^([+-]?[0-9]*(?:\.[0-9]*)?)(.*)$/.exec(q);
  if (!m || q.length === 0) throw junk(q);
  const num = parseNumberPart(m[1], q);
  const suffix = m[2];
  if (suffix in BINARY_SUFFIXES) return { ...num, exp2: BINARY_SUFFIXES[suffix] };
  if (suffix in DECIMAL_SUFFIXES) return { ...num, exp10: num.exp10 + DECIMAL_SUFFIXES[suffix], exp2: 0 };
  const e = /^[eE]([+-]?[0-9]+)$/.exec(suffix);
  if (!e) throw junk(q);
  const exp = Number(e[1]);
  if (!Number.isSafeInteger(exp) || Math.abs(exp) > 1000) throw junk(q);
  return { ...num, exp10: num.exp10 + exp, exp2: 0 };
}

/**
 * The quantity times `scale`, rounded up (away from zero for positives, as Quantity.Value/MilliValue do:
 * they round towards +infinity), as a bigint.
 */
function scaledCeil(x: ExactQuantity, scale: bigint): bigint {
  let num = x.digits * scale;
  let den = 1n;
  if (x.exp10 >= 0) num *= 10n ** BigInt(x.exp10);
  else den *= 10n ** BigInt(-x.exp10);
  num *= 2n ** BigInt(x.exp2);
  let q = num / den;
  const exact = q * den === num;
  if (x.negative) q = -q;
  else if (!exact) q += 1n;
  return q;
}

/** The quantity as a JavaScript number (may lose precision far beyond 2^53). Throws on junk. */
export function parseQuantity(q: string | number): number {
  const x = parseExact(q);
  const v = Number(x.digits) * 10 ** x.exp10 * 2 ** x.exp2;
  return x.negative ? -v : v;
}

/** Milli-units, rounded up like Quantity.MilliValue(): "0.1" → 100, "1" → 1000, "1n" → 1. */
export function quantityToMilli(q: string | number): number {
  return Number(scaledCeil(parseExact(q), 1000n));
}

/** Whole units (bytes for memory), rounded up like Quantity.Value(): "1Ki" → 1024, "1.5" → 2. */
export function quantityToBytes(q: string | number): number {
  return Number(scaledCeil(parseExact(q), 1n));
}

/** Whether `q` parses as a quantity (negative quantities parse; callers decide if they are allowed). */
export function isValidQuantity(q: unknown): boolean {
  if (typeof q !== 'string' && typeof q !== 'number') return false;
  try {
    parseExact(q);
    return true;
  } catch {
    return false;
  }
}

/** Compares two quantities exactly: negative, zero or positive like a sort comparator. */
export function compareQuantities(a: string | number, b: string | number): number {
  const [an, ad] = toRational(parseExact(a));
  const [bn, bd] = toRational(parseExact(b));
  const diff = an * bd - bn * ad;
  return diff === 0n ? 0 : diff > 0n ? 1 : -1;
}

/** [numerator, positive denominator] of a quantity. */
function toRational(x: ExactQuantity): [bigint, bigint] {
  let num = x.digits * 2n ** BigInt(x.exp2);
  let den = 1n;
  if (x.exp10 >= 0) num *= 10n ** BigInt(x.exp10);
  else den = 10n ** BigInt(-x.exp10);
  return [x.negative ? -num : num, den];
}

/**
 * A whole amount (bytes) written as Quantity.String() writes it in `like`'s format: a binary suffix
 * (Ki, Mi, Gi…) when `like` has one, else decimal (k, M, G…), with the largest suffix that keeps the
 * number whole: 1073741824 like "1024Mi" → "1Gi", 1500000000 like "1.5G" → "1500M".
 */
export function formatWholeQuantity(amount: number, like: string | number): string {
  const binary = typeof like === 'string' && /[KMGTPE]i$/.test(like);
  const steps = binary ? ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'] : ['', 'k', 'M', 'G', 'T', 'P', 'E'];
  const base = binary ? 1024 : 1000;
  let n = amount;
  let i = 0;
  while (n !== 0 && n % base === 0 && i < steps.length - 1) {
    n /= base;
    i++;
  }
  return `${n}${steps[i]}`;
}
