import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { parsePaxRecords, parseTarHeader, refuseSparseMembers } from './tar-scan.js';

let tmp: string;
before(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'peapod-tar-scan-'));
});
after(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

/** One ustar header block. */
function header(name: string, type: string, size: number): Buffer {
  const b = Buffer.alloc(512);
  b.write(name, 0, 'utf8');
  b.write('0000644\0', 100);
  b.write('0000000\0', 108);
  b.write('0000000\0', 116);
  b.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  b.write('00000000000\0', 136);
  b.write(type, 156);
  b.write('ustar\0', 257);
  b.write('00', 263);
  b.write('        ', 148);
  let sum = 0;
  for (const x of b) sum += x;
  b.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return b;
}

const pad = (b: Buffer) => Buffer.concat([b, Buffer.alloc((512 - (b.length % 512)) % 512)]);
const end = Buffer.alloc(1024);

async function scan(...parts: Buffer[]): Promise<void> {
  const file = path.join(tmp, `t-${Math.random().toString(16).slice(2)}.tar`);
  await fs.writeFile(file, Buffer.concat(parts));
  await refuseSparseMembers(file, 'layer x');
}

test('a plain archive of files and links passes', async () => {
  await scan(header('a', '0', 5), pad(Buffer.from('hello')), header('l', '2', 0), header('d/', '5', 0), end);
});

test('an old GNU sparse member is refused with its name', async () => {
  await assert.rejects(scan(header('big', 'S', 0), end), /member "big" is a sparse file/);
});

test('a PAX header with GNU.sparse keys is refused', async () => {
  const rec = (k: string, v: string) => {
    const body = ` ${k}=${v}\n`;
    let len = body.length + 2;
    if (String(len).length + body.length !== len) len = String(len + 1).length + body.length;
    return `${len}${body}`;
  };
  const pax = Buffer.from(rec('GNU.sparse.major', '1'));
  await assert.rejects(scan(header('PaxHeaders/big', 'x', pax.length), pad(pax), header('big', '0', 0), end), /sparse file \(PAX GNU\.sparse\.major\)/);
});

test('a link declaring data is refused: readers could disagree on where the next header is', async () => {
  await assert.rejects(scan(header('l', '2', 512), Buffer.alloc(512), end), /member "l" of type '2' declares 512 bytes/);
});

test('a bad checksum and an archive ending inside a member are refused', async () => {
  const h = header('a', '0', 5);
  h[0] = 0x62;
  await assert.rejects(scan(h, end), /bad checksum/);
  await assert.rejects(scan(header('a', '0', 4096), Buffer.alloc(512)), /ends inside/);
});

test('parseTarHeader joins the ustar prefix and reads the size; a zero block ends the archive', () => {
  const h = header('file', '0', 42);
  h.write('dir/sub', 345);
  // the checksum changed: recompute
  h.write('        ', 148);
  let sum = 0;
  for (const x of h) sum += x;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  assert.deepEqual(parseTarHeader(h, 'x'), { name: 'dir/sub/file', type: '0', size: 42 });
  assert.equal(parseTarHeader(Buffer.alloc(512), 'x'), undefined);
});

test('parsePaxRecords reads length-prefixed records and refuses a malformed one', () => {
  assert.deepEqual(parsePaxRecords(Buffer.from('11 size=42\n12 path=a b\n'), 'x'), [['size', '42'], ['path', 'a b']]);
  assert.throws(() => parsePaxRecords(Buffer.from('99 size=42\n'), 'x'), /malformed PAX/);
});
