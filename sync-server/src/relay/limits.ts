/**
 * Every limit the relay enforces, in one place: each is a named constant with the reason for its
 * size, and each has a close code and a message that says what happened.
 */

/** Largest frame accepted: a client back from a long offline stretch sends its whole difference
 * in one sync step 2, and 10,000 incidents with history encode to a few MiB. */
export const MAX_MESSAGE_BYTES = 32 * 1024 * 1024;
/** Sustained document updates per connection: typing is ~10/s, a burst replays an offline queue. */
export const UPDATES_PER_SECOND = 200;
export const UPDATE_BURST = 2_000;
/** Full-state requests (sync step 1) per connection: y-websocket sends one per connect, so a few. */
export const SYNC_REQUESTS_PER_MINUTE = 20;
export const SYNC_REQUEST_BURST = 5;
/** Awareness updates per connection: cursors move often; over this they are dropped, not closed. */
export const AWARENESS_PER_SECOND = 30;
export const AWARENESS_BURST = 120;
/** A presence state is a name, a colour and a cursor: a few hundred bytes. */
export const MAX_AWARENESS_STATE_BYTES = 16 * 1024;
/** Awareness client ids one connection may speak for (one per document a tab syncs, with slack). */
export const MAX_AWARENESS_IDS_PER_CONNECTION = 4;
/** Open connections per member: each tab holds two (workspace and system documents). */
export const MAX_CONNECTIONS_PER_MEMBER = 40;
/** Bytes a connection may send before its room has loaded; they wait in memory. */
export const MAX_PENDING_BYTES_BEFORE_LOAD = 48 * 1024 * 1024;
/** Unsent bytes a client may fall behind by before it is disconnected (it reconnects and resyncs). */
export const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;

/** A token bucket: `take()` is false when the rate is exceeded. */
export class RateLimit {
  private tokens: number;
  private last: number;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now()
  ) {
    this.tokens = burst;
    this.last = now();
  }

  take(n = 1): boolean {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.perSecond);
    this.last = t;
    if (this.tokens < n) return false;
    this.tokens -= n;
    return true;
  }
}
