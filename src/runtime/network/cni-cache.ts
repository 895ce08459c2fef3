// The CNI result cache in libcni's layout: <cacheDir>/results/<network>-<containerId>-<ifName>, one
// JSON record per attachment, written after a successful ADD and removed after a successful DEL.
// DEL reads it back so it sends the same conflist, runtimeConfig (portMappings) and prevResult the
// ADD used: without them portmap leaves its CNI-DN-* chain behind (node-runtime.md §4.3).

import { promises as fs } from 'node:fs';
import path from 'node:path';

import { readFileIfExists, writeJsonAtomic } from '../../system/atomic-file.js';
import type { CapabilityArgs, CniResult, CniRuntimeArgs, Conflist } from './cni.js';

export interface CniCacheRecord {
  kind: 'cniCacheV1';
  containerId: string;
  /** The conflist used for ADD, base64 of its JSON (as libcni stores it). */
  config: string;
  ifName: string;
  networkName: string;
  netns: string;
  cniArgs: [string, string][];
  capabilityArgs: CapabilityArgs;
  result: CniResult;
}

export function cacheFileName(networkName: string, containerId: string, ifName: string): string {
  return `${networkName}-${containerId}-${ifName}`;
}

export function buildCacheRecord(opts: {
  list: Conflist;
  args: CniRuntimeArgs;
  cniArgs: [string, string][];
  caps: CapabilityArgs;
  result: CniResult;
}): CniCacheRecord {
  return {
    kind: 'cniCacheV1',
    containerId: opts.args.containerId,
    config: Buffer.from(JSON.stringify(opts.list)).toString('base64'),
    ifName: opts.args.ifName,
    networkName: opts.list.name,
    netns: opts.args.netns,
    cniArgs: opts.cniArgs,
    capabilityArgs: opts.caps,
    result: opts.result,
  };
}

/** Parses a cache file; throws naming the problem when it is not a cniCacheV1 record. */
export function parseCacheRecord(text: string): CniCacheRecord {
  const obj = JSON.parse(text) as Partial<CniCacheRecord>;
  if (obj.kind !== 'cniCacheV1') throw new Error(`unsupported cni cache kind ${JSON.stringify(obj.kind)}`);
  for (const key of ['containerId', 'config', 'ifName', 'networkName'] as const) {
    if (typeof obj[key] !== 'string' || !obj[key]) throw new Error(`cni cache record has no ${key}`);
  }
  return {
    kind: 'cniCacheV1',
    containerId: obj.containerId!,
    config: obj.config!,
    ifName: obj.ifName!,
    networkName: obj.networkName!,
    netns: typeof obj.netns === 'string' ? obj.netns : '',
    cniArgs: Array.isArray(obj.cniArgs) ? obj.cniArgs : [],
    capabilityArgs: obj.capabilityArgs ?? {},
    result: obj.result ?? {},
  };
}

/** The conflist a record was added with. */
export function cachedConflist(record: CniCacheRecord): Conflist {
  return JSON.parse(Buffer.from(record.config, 'base64').toString('utf8')) as Conflist;
}

/** File access to the results dir; writes are atomic (temp file + rename). */
export class CniCache {
  private readonly dir: string;

  constructor(cacheDir: string) {
    this.dir = path.join(cacheDir, 'results');
  }

  async init(): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
  }

  async write(record: CniCacheRecord): Promise<void> {
    const file = path.join(this.dir, cacheFileName(record.networkName, record.containerId, record.ifName));
    // Compact like libcni's files, private (results name netns paths and IPs); no fsync, as this is on
    // the path of every sandbox start.
    await writeJsonAtomic(file, record, { mode: 0o600, fsync: false });
  }

  /** The record, or undefined when there is none. A corrupt file is an error naming it. */
  async read(networkName: string, containerId: string, ifName: string): Promise<CniCacheRecord | undefined> {
    const file = path.join(this.dir, cacheFileName(networkName, containerId, ifName));
    const text = await readFileIfExists(file);
    if (text === undefined) return undefined;
    try {
      return parseCacheRecord(text);
    } catch (err) {
      throw new Error(`read cni cache ${file}: ${(err as Error).message}`, { cause: err });
    }
  }

  async remove(networkName: string, containerId: string, ifName: string): Promise<void> {
    await fs.rm(path.join(this.dir, cacheFileName(networkName, containerId, ifName)), { force: true });
  }

  /** Every parseable record (corrupt files are returned as `bad` so gc can drop them). */
  async list(): Promise<{ records: CniCacheRecord[]; bad: string[] }> {
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], bad: [] };
      throw err;
    }
    const records: CniCacheRecord[] = [];
    const bad: string[] = [];
    for (const name of names) {
      const file = path.join(this.dir, name);
      try {
        records.push(parseCacheRecord(await fs.readFile(file, 'utf8')));
      } catch {
        bad.push(file);
      }
    }
    return { records, bad };
  }
}
