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

/** A PAX record "<len> key=value\n". */
function paxRecord(k: string, v: string): string {
  const body = ` ${k}=${v}\n`;
  let len = body.length + String(body.length).length;
  if (String(len).length + body.length !== len) len = String(len).length + body.length;
  return `${len}${body}`;
}
const pax = (...kv: [string, string][]) => Buffer.from(kv.map(([k, v]) => paxRecord(k, v)).join(''));
/** The PAX records GNU tar writes for a 50 MB sparse file of one 512-byte block (format 1.0). */
const sparseRecords = pax(['GNU.sparse.major', '1'], ['GNU.sparse.minor', '0'], ['GNU.sparse.name', 'sp'], ['GNU.sparse.realsize', '52428800']);

test('a Solaris extended header (type X) is read like a PAX one: its GNU.sparse keys are refused', async () => {
  await assert.rejects(
    scan(header('./PaxHeaders/sp', 'X', sparseRecords.length), pad(sparseRecords), header('./GNUSparseFile.1/sp', '0', 512), Buffer.alloc(512), end),
    /sparse file \(PAX GNU\.sparse\.major\)/,
  );
});

test('of two PAX headers in a row only the last applies, as in GNU tar: an earlier size cannot hide a sparse member', async () => {
  const first = pax(['size', '2048']);
  const second = pax(['mtime', '1']);
  await assert.rejects(
    scan(
      header('PaxHeaders/a', 'x', first.length),
      pad(first),
      header('PaxHeaders/a', 'x', second.length),
      pad(second),
      header('a', '0', 0),
      header('./PaxHeaders/sp', 'x', sparseRecords.length),
      pad(sparseRecords),
      header('./GNUSparseFile.1/sp', '0', 512),
      Buffer.alloc(512),
      end,
    ),
    /sparse file \(PAX GNU\.sparse\.major\)/,
  );
});

test('a PAX size in the last extended header (x or X) sets where the next header is', async () => {
  const size = pax(['size', '600']);
  for (const t of ['x', 'X']) {
    await scan(header('PaxHeaders/a', t, size.length), pad(size), header('a', '0', 0), Buffer.alloc(1024), end);
    await assert.rejects(scan(header('PaxHeaders/a', t, size.length), pad(size), header('a', '0', 0), Buffer.alloc(512)), /ends inside member "a"/);
  }
});

test('tar types outside the known list are refused with the type; files, links, devices, dirs, FIFOs and contiguous files pass', async () => {
  for (const t of ['D', 'M', 'V', 'N', 'A', 'Z', '8', '\x01']) {
    await assert.rejects(scan(header('m', t, 0), end), /member "m" has tar type '.+', which is not supported in a layer/, `type ${JSON.stringify(t)}`);
  }
  await scan(header('f', '0', 0), header('c', '7', 0), header('h', '1', 0), header('s', '2', 0), header('cd', '3', 0), header('bd', '4', 0), header('d/', '5', 0), header('p', '6', 0), end);
  const nul = header('n', '0', 0);
  nul[156] = 0;
  nul.write('        ', 148);
  let sum = 0;
  for (const x of nul) sum += x;
  nul.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  await scan(nul, end);
});
