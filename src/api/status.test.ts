import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AlreadyExistsError, BadRequestError, ConflictError, GoneError, InternalError, InvalidError, NotFoundError, TimeoutError, UnavailableError } from '../errors.js';
import { forbidden } from './api-errors.js';
import { errorToStatus } from './status.js';

const cases: [string, unknown, number, string, string][] = [
  ['not found is 404 NotFound', NotFoundError.of({ resource: 'pods', name: 'x' }), 404, 'NotFound', 'pods "x" not found'],
  ['already exists is 409 AlreadyExists', AlreadyExistsError.of({ resource: 'pods', name: 'x' }), 409, 'AlreadyExists', 'pods "x" already exists'],
  ['conflict is 409 Conflict', new ConflictError('Operation cannot be fulfilled on pods "x": stale'), 409, 'Conflict', 'Operation cannot be fulfilled on pods "x": stale'],
  ['bad request is 400 BadRequest', new BadRequestError('bad body'), 400, 'BadRequest', 'bad body'],
  ['gone is 410 Expired', new GoneError('too old resource version: 1 (5)'), 410, 'Expired', 'too old resource version: 1 (5)'],
  ['unavailable is 503', new UnavailableError('no runtime'), 503, 'ServiceUnavailable', 'no runtime'],
  ['timeout is 504', new TimeoutError('took too long'), 504, 'Timeout', 'took too long'],
  ['forbidden is 403', forbidden('namespaces "default" is forbidden: this namespace may not be deleted'), 403, 'Forbidden', 'namespaces "default" is forbidden: this namespace may not be deleted'],
  ['an internal error is 500 InternalError', new InternalError('boom'), 500, 'InternalError', 'Internal error occurred: boom'],
  ['an unknown exception is 500 InternalError', new TypeError('x is undefined'), 500, 'InternalError', 'Internal error occurred: x is undefined'],
];

for (const [name, err, code, reason, message] of cases) {
  test(name, () => {
    const { status } = errorToStatus(err);
    assert.equal(status.code, code);
    assert.equal(status.reason, reason);
    assert.equal(status.message, message);
    assert.equal(status.status, 'Failure');
    assert.equal(status.kind, 'Status');
  });
}

test('invalid is 422 with one cause per field', () => {
  const err = new InvalidError({ resource: 'pods', kind: 'Pod', name: 'x' }, [
    { type: 'FieldValueRequired', field: 'spec.containers[0].image', message: 'Required value' },
  ]);
  const { status, internal } = errorToStatus(err);
  assert.equal(internal, false);
  assert.equal(status.code, 422);
  assert.equal(status.message, 'Pod "x" is invalid: spec.containers[0].image: Required value');
  assert.deepEqual(status.details, {
    name: 'x',
    group: '',
    kind: 'Pod',
    causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers[0].image' }],
  });
});

test('only unexpected errors are flagged for logging as bugs', () => {
  assert.equal(errorToStatus(new Error('bug')).internal, true);
  assert.equal(errorToStatus(new BadRequestError('x')).internal, false);
});
