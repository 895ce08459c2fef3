import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMessage, encodeMessage, errorChannelPayload, negotiateChannelProtocol, offeredProtocols, outcomeStatus, parseResize } from './channel.js';

test('subprotocols: the first offer we speak, in the client order', () => {
  // kubectl 1.30+ offers v5 alone; client-node v5 down to channel.k8s.io; Python v4.
  assert.equal(negotiateChannelProtocol(['v5.channel.k8s.io'], 'exec')?.version, 5);
  assert.equal(negotiateChannelProtocol(offeredProtocols('v5.channel.k8s.io, v4.channel.k8s.io, v3.channel.k8s.io, v2.channel.k8s.io, channel.k8s.io'), 'exec')?.name, 'v5.channel.k8s.io');
  assert.equal(negotiateChannelProtocol(['v4.channel.k8s.io'], 'exec')?.version, 4);
  assert.deepEqual(negotiateChannelProtocol(['v4.base64.channel.k8s.io'], 'exec'), { name: 'v4.base64.channel.k8s.io', version: 4, base64: true });
  assert.equal(negotiateChannelProtocol(['x.example'], 'exec'), undefined);
  assert.deepEqual(negotiateChannelProtocol([], 'exec'), { name: '', version: 1, base64: false });
  // Port-forward channels have v4 and v1 framing only.
  assert.equal(negotiateChannelProtocol(['v5.channel.k8s.io', 'v4.channel.k8s.io'], 'portforward')?.version, 4);
});

test('binary messages carry the channel in their first byte, base64 ones as an ASCII digit', () => {
  const bin = { name: 'v5.channel.k8s.io', version: 5 as const, base64: false };
  const b64 = { name: 'v4.base64.channel.k8s.io', version: 4 as const, base64: true };
  assert.deepEqual(decodeMessage(Buffer.from([0, 104, 105]), bin), { channel: 0, data: Buffer.from('hi') });
  assert.deepEqual(encodeMessage(1, Buffer.from('hi'), bin), { payload: Buffer.from([1, 104, 105]), binary: true });
  assert.deepEqual(encodeMessage(1, Buffer.from('hi'), b64), { payload: '1aGk=', binary: false });
  assert.deepEqual(decodeMessage(Buffer.from('0aGk='), b64), { channel: 0, data: Buffer.from('hi') });
  assert.equal(decodeMessage(Buffer.alloc(0), bin), undefined);
  // Python's stdin strings: text frames whose first byte is the channel.
  assert.deepEqual(decodeMessage(Buffer.from('\u0000hello\n'), bin), { channel: 0, data: Buffer.from('hello\n') });
});

test('resize messages: Width and Height, anything else ignored', () => {
  assert.deepEqual(parseResize(Buffer.from('{"Width":100,"Height":40}')), { width: 100, height: 40 });
  assert.equal(parseResize(Buffer.from('{"Width":"x"}')), undefined);
  assert.equal(parseResize(Buffer.from('nope')), undefined);
});

test('the outcome: Success, NonZeroExitCode with the code as kubectl reads it, or the error', () => {
  assert.deepEqual(outcomeStatus({ exitCode: 0 }, ['true']), { metadata: {}, status: 'Success' });
  const failed = outcomeStatus({ exitCode: 7 }, ['sh', '-c', 'exit 7']);
  assert.equal(failed.reason, 'NonZeroExitCode');
  assert.equal(failed.message, 'command terminated with non-zero exit code: error executing command [sh -c exit 7], exit code 7');
  assert.deepEqual((failed.details as { causes: unknown[] }).causes, [{ reason: 'ExitCode', message: '7' }]);
  const err = outcomeStatus({ error: 'container not found ("x")', code: 400 }, []);
  assert.deepEqual([err.status, err.reason, err.code], ['Failure', 'BadRequest', 400]);
  // Before v4 the error channel carries text, and nothing on success.
  assert.equal(errorChannelPayload({ exitCode: 0 }, ['true'], 3), undefined);
  assert.equal(errorChannelPayload({ error: 'boom' }, [], 1)?.toString(), 'boom');
  assert.equal(JSON.parse(errorChannelPayload({ exitCode: 0 }, ['true'], 4)!.toString()).status, 'Success');
});
