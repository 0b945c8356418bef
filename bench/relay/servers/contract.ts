/**
 * What every server script under test does, so the harness treats them alike: take a fresh data
 * folder from BENCH_DATA_DIR, listen on 127.0.0.1 port 0, tell the harness the port over IPC, and
 * on SIGTERM store what it holds and exit 0 (SIGKILL is the crash case).
 */
export interface ReadyMessage {
  type: 'ready';
  port: number;
}

export function dataDir(): string {
  const dir = process.env.BENCH_DATA_DIR;
  if (!dir) throw new Error('BENCH_DATA_DIR is not set');
  return dir;
}

export function announce(port: number): void {
  const msg: ReadyMessage = { type: 'ready', port };
  if (process.send) process.send(msg);
  else console.log(`listening on ${port}`);
}

/** Runs `stop` once on SIGTERM or SIGINT, then exits; a failing stop exits 1. */
export function onStop(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = () => {
    if (stopping) return;
    stopping = true;
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      }
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
  // The harness going away (IPC closed) must not leave a server running.
  process.on('disconnect', handler);
}
