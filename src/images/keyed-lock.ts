// An in-process mutex per key: concurrent loads of images that share a layer unpack it once (the second
// waits, then finds the layer in place). Entries are dropped when nobody holds or waits for them.

export class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs fn while holding the lock for key; callers for the same key run one after another. */
  async withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const tail = prev.then(() => mine);
    this.tails.set(key, tail);
    await prev;
    try {
      return await fn();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
