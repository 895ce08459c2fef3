// A racer standing in for a container that shares a volume with the engine: python3 (a project
// requirement) calling renameat2(RENAME_EXCHANGE) on pairs of names in a loop, so each name always
// exists and is, at any instant, one of the two objects (a directory or a symlink, say), with no gap.
// A swapper ends by itself when an exchange fails (one of the names is gone); stop() ends it by its
// pid otherwise. Swappers.killAll() is for a suite's after(), so none outlives a failed test.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';

const SWAPPER_PY = `
import ctypes, os, random, signal, sys, time
libc = ctypes.CDLL(None, use_errno=True)
os.chdir(sys.argv[1])
max_pause = float(sys.argv[2])
pairs = [(a.encode(), b.encode()) for a, b in zip(sys.argv[3::2], sys.argv[4::2])]
swaps = 0
def end(how):
    print(how, swaps, flush=True)
    sys.exit(0)
signal.signal(signal.SIGTERM, lambda *_: end('stopped'))
while True:
    for a, b in pairs:
        if libc.renameat2(-100, a, -100, b, 2) != 0:  # AT_FDCWD, RENAME_EXCHANGE
            end('ended:' + os.strerror(ctypes.get_errno()).replace(' ', '_'))
    swaps += 1
    if swaps == 1:
        print('ready', flush=True)
    if max_pause > 0:
        time.sleep(random.random() * max_pause)
`;

export interface SwapperOptions {
  /** Each round of exchanges is followed by a random pause of up to this many ms; 0 is a tight loop. */
  maxPauseMs?: number;
}

/** A running swapper. */
export interface Swapper {
  readonly pid: number;
  /** Ends the swapper (SIGTERM to its pid) unless it ended by itself; returns how many rounds it made. */
  stop(): Promise<number>;
  /** Why it ended by itself ("ended:No_such_file_or_directory"), once it has; undefined while it runs. */
  endedBy(): string | undefined;
}

export class Swappers {
  private readonly live = new Set<ChildProcess>();
  private python?: string;

  /**
   * The interpreter itself, not a wrapper such as a pyenv shim (which takes a few hundred ms per
   * start); run with -I -S, which skips site-packages: the swapper needs only ctypes.
   */
  private interpreter(): string {
    this.python ??= execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
    return this.python;
  }

  /** Starts swapping each pair of names in `dir` and resolves once the first round is done. */
  async start(dir: string, pairs: [string, string][], opts: SwapperOptions = {}): Promise<Swapper> {
    const pauseSeconds = String((opts.maxPauseMs ?? 2) / 1000);
    const child = spawn(this.interpreter(), ['-I', '-S', '-c', SWAPPER_PY, dir, pauseSeconds, ...pairs.flat()], { stdio: ['ignore', 'pipe', 'inherit'] });
    this.live.add(child);
    let out = '';
    // 'close', not 'exit': by then everything the swapper printed has been read.
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    await new Promise<void>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`swapper exited ${code} before it was ready`)));
      child.stdout!.on('data', () => out.startsWith('ready\n') && resolve());
    });
    /** The swapper's last word: "stopped <rounds>" or "ended:<why> <rounds>". */
    const end = () => /^(stopped|ended:\S+) (\d+)$/m.exec(out);
    return {
      pid: child.pid!,
      stop: async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        await exited;
        this.live.delete(child);
        return Number(end()?.[2] ?? 0);
      },
      endedBy: () => (end()?.[1].startsWith('ended:') ? end()![1] : undefined),
    };
  }

  /** SIGKILLs every swapper still running (each by its own pid). */
  killAll(): void {
    for (const child of this.live) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    this.live.clear();
  }
}
