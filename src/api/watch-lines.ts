// One serialisation of a change for every watcher. The store hands a committed change to every watcher
// in turn, synchronously (store/watch-hub.ts); each watch would otherwise build the same event line
// `{"type":…,"object":…}\n` and encode it to UTF-8 once per watcher. Here the line of the last change
// seen is kept per encoding (the stored JSON, a served version's conversion, a metadata-only view), so
// the first watcher builds it and the others write the same bytes. Only the latest line per encoding is
// held: a watcher that lags behind builds its own, and nothing outlives the next change.

import type { StoredObject } from '../store/store.js';

interface Entry {
  stored: StoredObject;
  type: string;
  line: Buffer;
}

export class SharedEventLines {
  private readonly last = new Map<string, Entry>();
  /** Lines built (not taken from the cache): what the tests count. */
  built = 0;

  /** The event line of (type, stored) in `encoding`; `object` serialises the object when not cached. */
  line(encoding: string, type: string, stored: StoredObject, object: () => string): Buffer {
    const hit = this.last.get(encoding);
    if (hit && hit.stored === stored && hit.type === type) return hit.line;
    const line = Buffer.from(`{"type":${JSON.stringify(type)},"object":${object()}}\n`);
    this.built++;
    this.last.set(encoding, { stored, type, line });
    return line;
  }
}
