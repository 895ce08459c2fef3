// The small set of error classes every layer uses. Each has a stable `code`; only api/status.ts turns
// them into HTTP and Kubernetes Status objects (store, runtime and images never mention HTTP).

export type ErrorCode =
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Invalid'
  | 'BadRequest'
  | 'Unavailable'
  | 'Timeout'
  | 'Gone'
  | 'Internal';

/** One bad field, as Kubernetes reports it: type is FieldValueRequired, FieldValueInvalid, ... */
export interface FieldCause {
  type:
    | 'FieldValueRequired'
    | 'FieldValueInvalid'
    | 'FieldValueForbidden'
    | 'FieldValueNotSupported'
    | 'FieldValueDuplicate'
    | 'FieldValueNotFound'
    | 'FieldValueTooLong'
    | 'FieldValueTypeInvalid';
  field: string;
  message: string;
}

export class PeapodError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = `${code}Error`;
  }
}

/** What an object error refers to: resource (plural, e.g. "pods"), kind ("Pod"), name. */
export interface ObjectRef {
  resource: string;
  kind?: string;
  name?: string;
  group?: string;
}

export class NotFoundError extends PeapodError {
  readonly ref?: ObjectRef;
  constructor(message: string, ref?: ObjectRef, options?: { cause?: unknown }) {
    super('NotFound', message, options);
    this.ref = ref;
  }
  static of(ref: ObjectRef): NotFoundError {
    return new NotFoundError(`${ref.resource}${ref.group ? '.' + ref.group : ''} "${ref.name}" not found`, ref);
  }
}

export class AlreadyExistsError extends PeapodError {
  readonly ref?: ObjectRef;
  constructor(message: string, ref?: ObjectRef) {
    super('AlreadyExists', message);
    this.ref = ref;
  }
  static of(ref: ObjectRef): AlreadyExistsError {
    return new AlreadyExistsError(`${ref.resource} "${ref.name}" already exists`, ref);
  }
}

export class ConflictError extends PeapodError {
  readonly ref?: ObjectRef;
  constructor(message: string, ref?: ObjectRef) {
    super('Conflict', message);
    this.ref = ref;
  }
}

/** 422: the object is invalid; one cause per bad field. */
export class InvalidError extends PeapodError {
  readonly ref: ObjectRef;
  readonly causes: FieldCause[];
  constructor(ref: ObjectRef, causes: FieldCause[]) {
    // Upstream names the kind with its group (Lease.coordination.k8s.io), the core group's alone.
    const bare = ref.kind ?? ref.resource;
    const kind = ref.group && !bare.endsWith(`.${ref.group}`) ? `${bare}.${ref.group}` : bare;
    const detail = causes.map((c) => `${c.field}: ${c.message}`).join(', ');
    const body = causes.length > 1 ? `[${detail}]` : detail;
    super('Invalid', `${kind} "${ref.name ?? ''}" is invalid: ${body}`);
    this.ref = ref;
    this.causes = causes;
  }
}

export class BadRequestError extends PeapodError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('BadRequest', message, options);
  }
}

/** 410: a watch or list asked for history that is gone. */
export class GoneError extends PeapodError {
  constructor(message: string) {
    super('Gone', message);
  }
}

export class UnavailableError extends PeapodError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('Unavailable', message, options);
  }
}

export class TimeoutError extends PeapodError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('Timeout', message, options);
  }
}

export class InternalError extends PeapodError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('Internal', message, options);
  }
}

/**
 * A pod sandbox whose infra container failed after runPodSandbox returned (it is made while the first
 * containers are, issue 15): the pod manager reports it as the sandbox's creation failing, as before.
 */
export class SandboxStartError extends InternalError {}

export function isNotFound(err: unknown): boolean {
  return err instanceof PeapodError && err.code === 'NotFound';
}

/** The message of any thrown value, for logs and wrapped errors. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * A container cannot be created from its spec as things stand (missing ConfigMap, Secret or key, bad
 * subPath, runAsNonRoot violated): the kubelet's CreateContainerConfigError. Retried on later syncs.
 */
export class ContainerConfigError extends Error {
  readonly reason = 'CreateContainerConfigError';
  constructor(message: string) {
    super(message);
    this.name = 'ContainerConfigError';
  }
}
