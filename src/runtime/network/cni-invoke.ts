// Runs CNI plugin binaries through the Exec seam: one plugin (config on stdin, CNI_* env), and a
// whole list the way libcni does (ADD in order chaining prevResult; DEL in reverse, every plugin
// tried, the first error reported). Decisions (configs, env) come from cni.ts.

import { InternalError, UnavailableError } from '../../errors.js';
import type { Exec } from '../../system/exec.js';
import {
  buildCniEnv,
  buildPluginConfig,
  describePluginFailure,
  parsePluginFailure,
  parseResult,
  type CapabilityArgs,
  type CniCommand,
  type CniResult,
  type CniRuntimeArgs,
  type Conflist,
  type PluginConf,
} from './cni.js';

const PLUGIN_TIMEOUT_MS = 60_000;
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface CniInvokerOptions {
  exec: Exec;
  /** Directories searched for plugin binaries, in order; also passed as CNI_PATH. */
  binDirs: string[];
  /** Resolves a plugin type to its binary path (found at init). */
  resolve: (type: string) => string;
  /** PATH for the plugins (they run iptables); defaults to the daemon's PATH. */
  basePath?: string;
}

export class CniInvoker {
  constructor(private readonly opts: CniInvokerOptions) {}

  /** ADD every plugin of the list in order; returns the final result. Stops at the first error. */
  async add(list: Conflist, args: CniRuntimeArgs, caps: CapabilityArgs): Promise<CniResult> {
    let prev: CniResult | undefined;
    for (const plugin of list.plugins) {
      prev = parseResult(await this.runPlugin('ADD', list, plugin, args, caps, prev));
    }
    return prev ?? {};
  }

  /**
   * DEL every plugin in reverse with `prevResult` (the cached ADD result, if any). All plugins are
   * tried so one failing plugin does not leave the others' state behind; the first error is thrown.
   */
  async del(list: Conflist, args: CniRuntimeArgs, caps: CapabilityArgs, prevResult?: unknown): Promise<void> {
    let first: unknown;
    for (const plugin of [...list.plugins].reverse()) {
      try {
        await this.runPlugin('DEL', list, plugin, args, caps, prevResult);
      } catch (err) {
        first ??= err;
      }
    }
    if (first) throw first;
  }

  private async runPlugin(
    command: CniCommand,
    list: Conflist,
    plugin: PluginConf,
    args: CniRuntimeArgs,
    caps: CapabilityArgs,
    prevResult: unknown,
  ): Promise<string> {
    const conf = buildPluginConfig(list, plugin, caps, prevResult);
    const env = buildCniEnv({
      command,
      args,
      cniPath: this.opts.binDirs,
      basePath: this.opts.basePath ?? process.env.PATH ?? DEFAULT_PATH,
    });
    const what = `cni ${plugin.type} ${command} on network "${list.name}" for sandbox ${args.containerId}`;
    let r;
    try {
      r = await this.opts.exec.run(this.opts.resolve(plugin.type), [], {
        input: JSON.stringify(conf),
        env,
        timeoutMs: PLUGIN_TIMEOUT_MS,
      });
    } catch (err) {
      throw new UnavailableError(`${what}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    if (r.timedOut) throw new UnavailableError(`${what}: timed out after ${PLUGIN_TIMEOUT_MS} ms`);
    if (r.code !== 0) {
      const failure = parsePluginFailure(r.code, r.stdout, r.stderr);
      throw new CniPluginError(`${what}: ${describePluginFailure(failure)}`, failure.code);
    }
    return r.stdout;
  }
}

/** A plugin reported an error; `cniCode` is the CNI error code (0 when none was printed). */
export class CniPluginError extends InternalError {
  constructor(
    message: string,
    readonly cniCode: number,
  ) {
    super(message);
  }
}
