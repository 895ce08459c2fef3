// The outgoing side of one watch: events queue here and go to the socket as fast as the client reads
// them. The initial events (the list a watch starts with, or the changes it replays from a
// resourceVersion) are queued as references to the store's shared objects, so a watch whose initial list
// is larger than any buffer still starts: the client reads it at its own pace. Live changes count against
// a bound of unread bytes (16 MiB, with what the socket holds); a client that stays connected but stops
// reading passes it and is dropped, as the API server drops a watcher whose buffer is full (clients
// watch again from their last resourceVersion).

/** Where a watch writes: the HTTP response (its write() answers false when the client falls behind). */
export interface WatchSink {
  write(chunk: Buffer | string): boolean;
  readonly writableLength: number;
  once(event: 'drain', fn: () => void): unknown;
  off(event: 'drain', fn: () => void): unknown;
}

/** An event not yet written: rendered when its turn comes, so Tables number their rows in order. */
export interface PendingEvent {
  render(): Buffer | string;
  /** Bytes it will take (an estimate: the stored JSON's length); counted only for live events. */
  bytes: number;
}

/** Unread bytes of live events a client may leave behind before its watch is closed. */
export const MAX_UNREAD_WATCH_BYTES = 16 * 1024 * 1024;

export class WatchStream {
  private readonly queue: (PendingEvent | undefined)[] = [];
  private head = 0;
  /** Live bytes queued and not yet written. */
  private liveBytes = 0;
  private draining = false;
  private closed = false;
  private readonly onDrain = (): void => {
    this.draining = false;
    this.pump();
  };

  constructor(
    private readonly sink: WatchSink,
    /** Called once when the client fell too far behind; the owner ends the watch. */
    private readonly onSlowClient: (unread: number) => void,
    /** Called when a render throws; the owner ends the watch. */
    private readonly onRenderError: (err: unknown) => void,
    private readonly maxUnread = MAX_UNREAD_WATCH_BYTES,
  ) {}

  /** An initial event: queued whatever its size, never counted against the unread bound. */
  initial(ev: PendingEvent): void {
    this.push(ev, false);
  }

  /** A live event (or a bookmark): counted against the unread bound. */
  live(ev: PendingEvent): void {
    this.push(ev, true);
  }

  /** Stops writing; queued events are dropped. */
  close(): void {
    this.closed = true;
    this.queue.length = 0;
    this.head = 0;
    this.liveBytes = 0;
    this.sink.off('drain', this.onDrain);
  }

  /** Events queued and not yet written. */
  get pending(): number {
    return this.queue.length - this.head;
  }

  private push(ev: PendingEvent, counted: boolean): void {
    if (this.closed) return;
    if (counted) {
      this.liveBytes += ev.bytes;
      const unread = this.liveBytes + this.sink.writableLength;
      if (unread > this.maxUnread) {
        this.close();
        this.onSlowClient(unread);
        return;
      }
    }
    this.queue.push(counted ? ev : { render: ev.render, bytes: 0 });
    this.pump();
  }

  /** Writes queued events until the socket asks to wait, then resumes on 'drain'. */
  private pump(): void {
    while (!this.closed && !this.draining && this.head < this.queue.length) {
      const ev = this.queue[this.head]!;
      this.queue[this.head++] = undefined;
      this.liveBytes -= ev.bytes;
      let chunk: Buffer | string;
      try {
        chunk = ev.render();
      } catch (err) {
        this.close();
        this.onRenderError(err);
        return;
      }
      if (!this.sink.write(chunk)) {
        this.draining = true;
        this.sink.once('drain', this.onDrain);
      }
    }
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else if (this.head >= 4096 && this.head * 2 >= this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }
}
