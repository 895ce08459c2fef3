import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { dialAddress, parseListenAddress } from './server.js';

const addr = (address: string, family: string): AddressInfo => ({ address, family, port: 6443 });

test('a listen address splits into host and port, IPv6 in brackets', () => {
  assert.deepEqual(parseListenAddress('127.0.0.1:6443'), { host: '127.0.0.1', port: 6443 });
  assert.deepEqual(parseListenAddress('[::1]:6443'), { host: '::1', port: 6443 });
  assert.deepEqual(parseListenAddress('0.0.0.0:6443'), { host: '0.0.0.0', port: 6443 });
  assert.throws(() => parseListenAddress('6443'), /want host:port/);
  assert.throws(() => parseListenAddress('127.0.0.1:70000'), /port out of range/);
});

test('clients dial loopback when the API listens on every address (the certificate names loopback, not 0.0.0.0)', () => {
  assert.equal(dialAddress(addr('0.0.0.0', 'IPv4')), '127.0.0.1');
  assert.equal(dialAddress(addr('::', 'IPv6')), '[::1]');
  assert.equal(dialAddress(addr('127.0.0.1', 'IPv4')), '127.0.0.1');
  assert.equal(dialAddress(addr('::1', 'IPv6')), '[::1]');
});
