// HTTP-only failures that have no counterpart in src/errors.ts (Forbidden, MethodNotAllowed,
// UnsupportedMediaType, NotAcceptable, TooManyRequests). Only api/ raises them; status.ts maps them.

export class HttpStatusError extends Error {
  readonly httpCode: number;
  readonly reason: string;
  readonly details?: { name?: string; kind?: string; group?: string; retryAfterSeconds?: number };
  constructor(httpCode: number, reason: string, message: string, details?: HttpStatusError['details']) {
    super(message);
    this.httpCode = httpCode;
    this.reason = reason;
    this.details = details;
    this.name = `${reason}Error`;
  }
}

export function forbidden(message: string, details?: HttpStatusError['details']): HttpStatusError {
  return new HttpStatusError(403, 'Forbidden', message, details);
}

export function methodNotAllowed(method: string, what: string): HttpStatusError {
  return new HttpStatusError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource: ${method} ${what}`);
}

export function unsupportedMediaType(type: string): HttpStatusError {
  return new HttpStatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml (got ${type})`);
}
