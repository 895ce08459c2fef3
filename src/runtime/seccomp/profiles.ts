// Where a container's seccomp profile comes from: the RuntimeDefault file (read, parsed and adjusted
// once per daemon, then cached) or a Localhost file (read on every create, as CRI-O does, so that an
// edited file applies to the next container). Errors name the file; the runtime fails the create.

import { readFile as fsReadFile } from 'node:fs/promises';
import type { LinuxContainerSecurity, SeccompProfile } from '../runtime.js';
import type { KernelVersion } from './convert.js';
import type { SeccompHost } from './host.js';
import { restrictNamespaceCreation } from './namespaces.js';
import { parseSeccompProfile, type SeccompProfileFile } from './profile.js';

/** Where Debian's golang-github-containers-common puts the containers/common default profile. */
export const DEFAULT_SECCOMP_PROFILE_PATH = '/usr/share/containers/seccomp.json';
export const DEFAULT_SECCOMP_PROFILE_PACKAGE = 'golang-github-containers-common';

/** A profile ready for the spec builder, with the host facts its conditions are resolved against. */
export interface ResolvedSeccomp {
  profile: SeccompProfileFile;
  arch?: string;
  kernel: KernelVersion;
}

/** The profile a container runs under: none when privileged (CRI-O's rule) or when unset. */
export function effectiveSeccomp(security: LinuxContainerSecurity): SeccompProfile | undefined {
  return security.privileged ? undefined : security.seccompProfile;
}

export interface SeccompProfilesOptions {
  host: SeccompHost;
  defaultProfilePath?: string;
  readFile?: (path: string) => Promise<string>;
}

export class SeccompProfiles {
  private readonly host: SeccompHost;
  private readonly defaultPath: string;
  private readonly read: (path: string) => Promise<string>;
  private cachedDefault?: Promise<SeccompProfileFile>;

  constructor(opts: SeccompProfilesOptions) {
    this.host = opts.host;
    this.defaultPath = opts.defaultProfilePath ?? DEFAULT_SECCOMP_PROFILE_PATH;
    this.read = opts.readFile ?? ((p) => fsReadFile(p, 'utf8'));
  }

  /** What buildAppSpec needs for this container; undefined = unconfined. */
  async resolve(security: LinuxContainerSecurity): Promise<ResolvedSeccomp | undefined> {
    const want = effectiveSeccomp(security);
    if (!want) return undefined;
    const profile = want.type === 'RuntimeDefault' ? await this.runtimeDefault() : await this.localhost(want.localhostRef);
    return { profile, arch: this.host.arch, kernel: this.host.kernel };
  }

  /** Parsed once; a failure is not cached, so installing the package fixes the next create. */
  runtimeDefault(): Promise<SeccompProfileFile> {
    this.cachedDefault ??= this.loadDefault().catch((err: unknown) => {
      this.cachedDefault = undefined;
      throw err;
    });
    return this.cachedDefault;
  }

  async localhost(file: string): Promise<SeccompProfileFile> {
    try {
      return parseSeccompProfile(await this.read(file), this.host.errno);
    } catch (err) {
      throw new Error(`unable to load local seccomp profile "${file}": ${(err as Error).message}`, { cause: err });
    }
  }

  private async loadDefault(): Promise<SeccompProfileFile> {
    const file = this.defaultPath;
    let text: string;
    try {
      text = await this.read(file);
    } catch (err) {
      const hint = (err as NodeJS.ErrnoException).code === 'ENOENT' ? ` (install package ${DEFAULT_SECCOMP_PROFILE_PACKAGE}: peapod setup)` : '';
      throw new Error(`unable to load the RuntimeDefault seccomp profile "${file}": ${(err as Error).message}${hint}`, { cause: err });
    }
    try {
      return restrictNamespaceCreation(parseSeccompProfile(text, this.host.errno), this.host.arch);
    } catch (err) {
      throw new Error(`unable to load the RuntimeDefault seccomp profile "${file}": ${(err as Error).message}`, { cause: err });
    }
  }
}
