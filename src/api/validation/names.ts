// Name and key rules of the Kubernetes API (k8s.io/apimachinery/pkg/util/validation), with the upstream
// wording. Each `is*` function returns the list of problems (empty = valid), like upstream's IsXxx helpers,
// so callers can wrap each message in a FieldCause at the right path.

const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const QUALIFIED_NAME_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const LABEL_VALUE_FMT = `(${QUALIFIED_NAME_FMT})?`;
const C_IDENTIFIER_FMT = '[A-Za-z_][A-Za-z0-9_]*';
const CONFIG_KEY_FMT = '[-._a-zA-Z0-9]+';

const full = (fmt: string): RegExp => new RegExp(`^${fmt}$`);
const DNS1123_LABEL_RE = full(DNS1123_LABEL_FMT);
const DNS1123_SUBDOMAIN_RE = full(DNS1123_SUBDOMAIN_FMT);
const QUALIFIED_NAME_RE = full(QUALIFIED_NAME_FMT);
const LABEL_VALUE_RE = full(LABEL_VALUE_FMT);
const C_IDENTIFIER_RE = full(C_IDENTIFIER_FMT);
const CONFIG_KEY_RE = full(CONFIG_KEY_FMT);

export const DNS1123_LABEL_MAX = 63;
export const DNS1123_SUBDOMAIN_MAX = 253;
export const QUALIFIED_NAME_MAX = 63;
export const LABEL_VALUE_MAX = 63;
export const PORT_NAME_MAX = 15;
/** Total bytes of all annotation keys and values of one object. */
export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

/** Upstream RegexError: `<msg> (e.g. 'a',  or 'b', regex used for validation is '<fmt>')`. */
function regexError(msg: string, fmt: string, ...examples: string[]): string {
  const eg = examples.length ? `e.g. ${examples.map((e) => `'${e}'`).join(',  or ')}, ` : '';
  return `${msg} (${eg}regex used for validation is '${fmt}')`;
}

export function maxLenError(n: number): string {
  return `must be no more than ${n} characters`;
}

export function inclusiveRangeError(lo: number, hi: number): string {
  return `must be between ${lo} and ${hi}, inclusive`;
}

export const DNS1123_LABEL_ERROR = regexError(
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
  DNS1123_LABEL_FMT,
  'my-name',
  '123-abc',
);
export const DNS1123_SUBDOMAIN_ERROR = regexError(
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
  DNS1123_SUBDOMAIN_FMT,
  'example.com',
);
const QUALIFIED_NAME_ERROR = regexError(
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
  QUALIFIED_NAME_FMT,
  'MyName',
  'my.name',
  '123-abc',
);
const LABEL_VALUE_ERROR = regexError(
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
  LABEL_VALUE_FMT,
  'MyValue',
  'my_value',
  '12345',
);
const C_IDENTIFIER_ERROR = regexError(
  "a valid C identifier must start with alphabetic character or '_', followed by a string of alphanumeric characters or '_'",
  C_IDENTIFIER_FMT,
  'my_name',
  'MY_NAME',
  'MyName',
);
const CONFIG_KEY_ERROR = regexError(
  "a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
  CONFIG_KEY_FMT,
  'key.name',
  'KEY_NAME',
  'key-name',
);
export const ENV_VAR_NAME_ERROR =
  "a valid environment variable name must consist only of printable ASCII characters other than '='";

/** An RFC 1123 label: namespace names, container, volume and port-less names. */
export function isDNS1123Label(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS1123_LABEL_MAX) errs.push(maxLenError(DNS1123_LABEL_MAX));
  if (!DNS1123_LABEL_RE.test(value)) {
    // A valid subdomain that is not a label can only be one with dots (the length was checked above).
    errs.push(DNS1123_SUBDOMAIN_RE.test(value) ? 'must not contain dots' : DNS1123_LABEL_ERROR);
  }
  return errs;
}

/** An RFC 1123 subdomain: most object names (pods, configmaps, secrets, nodes). */
export function isDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS1123_SUBDOMAIN_MAX) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX));
  if (!DNS1123_SUBDOMAIN_RE.test(value)) errs.push(DNS1123_SUBDOMAIN_ERROR);
  return errs;
}

/**
 * Object-name validation as apimachinery's NameIsDNSSubdomain/NameIsDNSLabel: with `prefix` (generateName)
 * a trailing '-' is allowed, since random characters will follow it.
 */
export function validateObjectName(kind: 'subdomain' | 'label', name: string, prefix: boolean): string[] {
  const masked = prefix && name.length > 1 && name.endsWith('-') ? `${name.slice(0, -1)}a` : name;
  return kind === 'label' ? isDNS1123Label(masked) : isDNS1123Subdomain(masked);
}

/** A qualified name: label keys, annotation keys (lowercased), finalizers, resource names. */
export function isQualifiedName(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0];
  } else if (parts.length === 2) {
    const prefix = parts[0];
    name = parts[1];
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else errs.push(...isDNS1123Subdomain(prefix).map((m) => `prefix part ${m}`));
  } else {
    return [
      `a qualified name ${QUALIFIED_NAME_ERROR} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > QUALIFIED_NAME_MAX) errs.push(`name part ${maxLenError(QUALIFIED_NAME_MAX)}`);
  if (!QUALIFIED_NAME_RE.test(name)) errs.push(`name part ${QUALIFIED_NAME_ERROR}`);
  return errs;
}

/** A label value: empty, or up to 63 characters of [-A-Za-z0-9_.] starting and ending alphanumeric. */
export function isValidLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (value.length > LABEL_VALUE_MAX) errs.push(maxLenError(LABEL_VALUE_MAX));
  if (!LABEL_VALUE_RE.test(value)) errs.push(LABEL_VALUE_ERROR);
  return errs;
}

export function isCIdentifier(value: string): string[] {
  return C_IDENTIFIER_RE.test(value) ? [] : [C_IDENTIFIER_ERROR];
}

/**
 * An environment variable name (RelaxedEnvironmentVariableValidation, default since 1.32): any printable
 * ASCII character except '='. Emptiness is reported by callers as `Required value`.
 */
export function isEnvVarName(value: string): string[] {
  for (const ch of value) {
    const c = ch.codePointAt(0) ?? 0;
    if (c < 0x20 || c > 0x7e || ch === '=') return [ENV_VAR_NAME_ERROR];
  }
  return [];
}

/** A ConfigMap or Secret data key: it becomes a file name, so '.', '..' and a '..' prefix are refused. */
export function isConfigMapKey(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS1123_SUBDOMAIN_MAX) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX));
  if (!CONFIG_KEY_RE.test(value)) errs.push(CONFIG_KEY_ERROR);
  if (value === '.') errs.push("must not be '.'");
  else if (value === '..') errs.push("must not be '..'");
  else if (value.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}

/** An IANA_SVC_NAME (RFC 6335): container port names. */
export function isValidPortName(port: string): string[] {
  const errs: string[] = [];
  if (port.length > PORT_NAME_MAX) errs.push(maxLenError(PORT_NAME_MAX));
  if (!/^[-a-z0-9]+$/.test(port)) errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  else if (!/[a-z]/.test(port)) errs.push('must contain at least one letter (a-z)');
  else if (port.includes('--')) errs.push('must not contain consecutive hyphens (--)');
  else if (port.startsWith('-') || port.endsWith('-')) errs.push('must not begin or end with a hyphen (-)');
  return errs;
}

/** A TCP/UDP port number 1-65535. */
export function isValidPortNum(port: number): string[] {
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? [] : [inclusiveRangeError(1, 65535)];
}

/** Bytes of all annotation keys and values together (UTF-8, as Go's len(string)). */
export function annotationsSize(annotations: Record<string, string>): number {
  let total = 0;
  for (const [k, v] of Object.entries(annotations)) {
    total += Buffer.byteLength(k) + Buffer.byteLength(String(v));
  }
  return total;
}
