import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { HostPathType } from '../k8s/types.js';
import { checkHostPathType } from './host-path.js';

interface Case {
  name: string;
  setup: (dir: string) => Promise<string>;
  type: HostPathType;
  error?: (p: string) => string;
  check?: (p: string) => Promise<void>;
}

const mode = async (p: string) => (await fs.stat(p)).mode & 0o777;
const cases: Case[] = [
  { name: 'an empty type checks nothing, even for a missing path', setup: async (d) => path.join(d, 'none'), type: '' },
  {
    name: 'DirectoryOrCreate creates a missing directory with mode 0755',
    setup: async (d) => path.join(d, 'a/b'),
    type: 'DirectoryOrCreate',
    check: async (p) => assert.equal(await mode(p), 0o755 & ~process.umask()),
  },
  {
    name: 'DirectoryOrCreate rejects an existing file',
    setup: async (d) => (await fs.writeFile(path.join(d, 'f'), ''), path.join(d, 'f')),
    type: 'DirectoryOrCreate',
    error: (p) => `hostPath type check failed: ${p} is not a directory`,
  },
  { name: 'Directory requires the directory to exist', setup: async (d) => path.join(d, 'x'), type: 'Directory', error: (p) => `hostPath type check failed: ${p} is not a directory` },
  {
    name: 'FileOrCreate creates an empty 0644 file',
    setup: async (d) => path.join(d, 'new'),
    type: 'FileOrCreate',
    check: async (p) => {
      assert.equal((await fs.readFile(p)).length, 0);
      assert.equal(await mode(p), 0o644 & ~process.umask());
    },
  },
  { name: 'FileOrCreate does not create a missing parent dir', setup: async (d) => path.join(d, 'no/new'), type: 'FileOrCreate', error: (p) => `hostPath create file ${p}: ENOENT: no such file or directory, open '${p}'` },
  { name: 'File rejects a directory', setup: async (d) => d, type: 'File', error: (p) => `hostPath type check failed: ${p} is not a file` },
  { name: 'CharDevice accepts /dev/null', setup: async () => '/dev/null', type: 'CharDevice' },
  { name: 'Socket rejects a regular file', setup: async () => '/dev/null', type: 'Socket', error: (p) => `hostPath type check failed: ${p} is not a socket file` },
  { name: 'BlockDevice rejects a character device', setup: async () => '/dev/null', type: 'BlockDevice', error: (p) => `hostPath type check failed: ${p} is not a block device` },
];

for (const c of cases) {
  test(c.name, async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'peapod-hp-'));
    try {
      const p = await c.setup(dir);
      if (c.error) await assert.rejects(checkHostPathType(p, c.type), { message: c.error(p) });
      else await checkHostPathType(p, c.type);
      await c.check?.(p);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
}
