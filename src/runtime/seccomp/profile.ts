// The seccomp profile file format: containers/common's (Docker's, plus archMap and errno names), which
// is a superset of the OCI runtime spec's LinuxSeccomp. One parser serves both the RuntimeDefault
// profile Debian ships (/usr/share/containers/seccomp.json) and Localhost profiles, as CRI-O decodes
// both into the same containers/common struct: an OCI-style file simply has no includes, excludes or
// archMap. Pure: text in, a checked profile out (or an error saying which field is wrong).
//
// Deliberately stricter than upstream, so that a broken file fails the container create loudly
// instead of running it with less confinement than intended:
// - defaultAction is required (upstream treats a file without it and without syscalls as "no seccomp");
// - actions and operators must be ones runc 1.1 knows; argument values must be exact in a JS number
//   (below 2^53), since JSON.parse would silently round larger ones;
// - errno names must be known to the host (upstream: "unknown errno").
// Unknown fields are ignored, as Go's json.Unmarshal does.

/** Actions runc 1.1 accepts (libcontainer/seccomp). */
export const SECCOMP_ACTIONS = [
  'SCMP_ACT_KILL', 'SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_KILL_THREAD', 'SCMP_ACT_TRAP', 'SCMP_ACT_ERRNO',
  'SCMP_ACT_TRACE', 'SCMP_ACT_ALLOW', 'SCMP_ACT_LOG', 'SCMP_ACT_NOTIFY',
] as const;
export const SECCOMP_OPERATORS = [
  'SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_MASKED_EQ',
] as const;
/** Syscalls have at most six arguments. */
const MAX_ARG_INDEX = 5;

export interface SeccompArg {
  index: number;
  value: number;
  valueTwo: number;
  op: string;
}

/** A rule's condition on the container and host; every listed part must hold (see convert.ts). */
export interface SeccompFilter {
  /** Capability names (CAP_SYS_ADMIN...), compared with the container's bounding set. */
  caps: string[];
  /** libseccomp native arch names (amd64, x86, x32, arm64...), compared with the host's. */
  arches: string[];
  /** "major.minor[.patch]", compared with the host kernel (Docker's field; containers/common has none). */
  minKernel?: string;
}

export interface SeccompRule {
  /** Empty when the file gave neither name nor names: such a rule matches nothing (as upstream). */
  names: string[];
  action: string;
  args: SeccompArg[];
  /** From errno (a name or a number) when given, else errnoRet. */
  errnoRet?: number;
  includes: SeccompFilter;
  excludes: SeccompFilter;
}

export interface SeccompArchMapEntry {
  architecture: string;
  subArchitectures: string[];
}

export interface SeccompProfileFile {
  defaultAction: string;
  defaultErrnoRet?: number;
  /** Taken as they are (the OCI form); a file has either this or archMap. */
  architectures: string[];
  /** Per native architecture, the architectures to allow (the containers/common form). */
  archMap: SeccompArchMapEntry[];
  syscalls: SeccompRule[];
  flags: string[];
  listenerPath?: string;
  listenerMetadata?: string;
}

/** errno names to numbers for this host (node's os.constants.errno). */
export type ErrnoTable = Readonly<Record<string, number>>;

type Json = Record<string, unknown>;

class ProfileError extends Error {}

function fail(field: string, what: string): never {
  throw new ProfileError(`${field}: ${what}`);
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const absent = (v: unknown) => v === undefined || v === null;

function objectAt(v: unknown, field: string): Json {
  if (absent(v)) return {};
  if (!isObject(v)) fail(field, 'must be an object');
  return v;
}

function stringAt(v: unknown, field: string): string | undefined {
  if (absent(v) || v === '') return undefined;
  if (typeof v !== 'string') fail(field, 'must be a string');
  return v;
}

function stringsAt(v: unknown, field: string): string[] {
  if (absent(v)) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) fail(field, 'must be a list of strings');
  return v as string[];
}

function uintAt(v: unknown, field: string, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (absent(v)) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) fail(field, `must be a non-negative integer, got ${JSON.stringify(v)}`);
  if (v > max) fail(field, `${v} is above ${max}`);
  return v;
}

function actionAt(v: unknown, field: string): string {
  if (absent(v) || v === '') fail(field, 'is required');
  if (typeof v !== 'string' || !(SECCOMP_ACTIONS as readonly string[]).includes(v)) fail(field, `unknown action ${JSON.stringify(v)}`);
  return v;
}

/** errno (a name such as "EPERM", or a decimal string) wins over errnoRet, as in containers/common. */
function errnoOf(fields: { errno: string; errnoRet: string }, errno: unknown, errnoRet: unknown, table: ErrnoTable): number | undefined {
  const name = stringAt(errno, fields.errno);
  if (name === undefined) return uintAt(errnoRet, fields.errnoRet, 0xffffffff);
  if (/^\d+$/.test(name)) return uintAt(Number(name), fields.errno, 0xffffffff);
  const n = table[name];
  if (n === undefined) fail(fields.errno, `unknown errno ${name}`);
  return n;
}

function parseFilter(v: unknown, field: string): SeccompFilter {
  const f = objectAt(v, field);
  const out: SeccompFilter = { caps: stringsAt(f.caps, `${field}.caps`), arches: stringsAt(f.arches, `${field}.arches`) };
  const minKernel = stringAt(f.minKernel, `${field}.minKernel`);
  if (minKernel !== undefined) {
    if (!/^\d+\.\d+(\.\d+)?$/.test(minKernel)) fail(`${field}.minKernel`, `${JSON.stringify(minKernel)} is not major.minor[.patch]`);
    out.minKernel = minKernel;
  }
  return out;
}

function parseArg(v: unknown, field: string): SeccompArg {
  if (!isObject(v)) fail(field, 'must be an object');
  const op = v.op;
  if (typeof op !== 'string' || !(SECCOMP_OPERATORS as readonly string[]).includes(op)) fail(`${field}.op`, `unknown operator ${JSON.stringify(op)}`);
  return {
    index: uintAt(v.index, `${field}.index`, MAX_ARG_INDEX) ?? 0,
    value: uintAt(v.value, `${field}.value`) ?? 0,
    valueTwo: uintAt(v.valueTwo, `${field}.valueTwo`) ?? 0,
    op,
  };
}

function parseRule(v: unknown, field: string, table: ErrnoTable): SeccompRule {
  if (!isObject(v)) fail(field, 'must be an object');
  const name = stringAt(v.name, `${field}.name`);
  const names = stringsAt(v.names, `${field}.names`);
  if (name !== undefined && names.length > 0) fail(field, "'name' and 'names' were both specified, use either 'name' or 'names'");
  if (!absent(v.args) && !Array.isArray(v.args)) fail(`${field}.args`, 'must be a list');
  const rule: SeccompRule = {
    names: name !== undefined ? [name] : names,
    action: actionAt(v.action, `${field}.action`),
    args: ((v.args as unknown[] | undefined) ?? []).map((a, i) => parseArg(a, `${field}.args[${i}]`)),
    includes: parseFilter(v.includes, `${field}.includes`),
    excludes: parseFilter(v.excludes, `${field}.excludes`),
  };
  const errnoRet = errnoOf({ errno: `${field}.errno`, errnoRet: `${field}.errnoRet` }, v.errno, v.errnoRet, table);
  if (errnoRet !== undefined) rule.errnoRet = errnoRet;
  return rule;
}

function parseArchMap(v: unknown): SeccompArchMapEntry[] {
  if (absent(v)) return [];
  if (!Array.isArray(v)) fail('archMap', 'must be a list');
  return v.map((e, i) => {
    const o = objectAt(e, `archMap[${i}]`);
    const architecture = stringAt(o.architecture, `archMap[${i}].architecture`);
    if (architecture === undefined) fail(`archMap[${i}].architecture`, 'is required');
    return { architecture, subArchitectures: stringsAt(o.subArchitectures, `archMap[${i}].subArchitectures`) };
  });
}

/**
 * Parses a profile file's text. Throws an Error whose message names the bad field
 * (`syscalls[3].action: unknown action "SCMP_ACT_FOO"`); callers prefix the file name.
 */
export function parseSeccompProfile(text: string, errnoTable: ErrnoTable): SeccompProfileFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ProfileError(`decoding seccomp profile failed: ${(err as Error).message}`);
  }
  if (!isObject(raw)) throw new ProfileError('decoding seccomp profile failed: the file is not a JSON object');
  const architectures = stringsAt(raw.architectures, 'architectures');
  const archMap = parseArchMap(raw.archMap);
  if (architectures.length > 0 && archMap.length > 0) {
    fail('architectures', "'architectures' and 'archMap' were both specified, use either 'architectures' or 'archMap'");
  }
  if (!absent(raw.syscalls) && !Array.isArray(raw.syscalls)) fail('syscalls', 'must be a list');
  const profile: SeccompProfileFile = {
    defaultAction: actionAt(raw.defaultAction, 'defaultAction'),
    architectures,
    archMap,
    syscalls: ((raw.syscalls as unknown[] | undefined) ?? []).map((s, i) => parseRule(s, `syscalls[${i}]`, errnoTable)),
    flags: stringsAt(raw.flags, 'flags'),
  };
  const defaultErrnoRet = errnoOf({ errno: 'defaultErrno', errnoRet: 'defaultErrnoRet' }, raw.defaultErrno, raw.defaultErrnoRet, errnoTable);
  if (defaultErrnoRet !== undefined) profile.defaultErrnoRet = defaultErrnoRet;
  const listenerPath = stringAt(raw.listenerPath, 'listenerPath');
  if (listenerPath !== undefined) profile.listenerPath = listenerPath;
  const listenerMetadata = stringAt(raw.listenerMetadata, 'listenerMetadata');
  if (listenerMetadata !== undefined) profile.listenerMetadata = listenerMetadata;
  return profile;
}
