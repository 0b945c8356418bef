import { benchChecks, benchIncidents } from './browser.ts';
import { benchIngest } from './ingest.ts';
import { benchShell } from './shell.ts';
import { benchOutboxThroughput, benchSlackLatency } from './integrations.ts';
import { report, type BenchResult } from './stats.ts';

/** A bench that hangs (a stuck browser, say) fails instead of holding the terminal. */
const SUITE_LIMIT_MS = 5 * 60_000;
const only = process.argv[2];
const suites: Record<string, () => Promise<BenchResult[]>> = {
  ingest: benchIngest,
  incidents: benchIncidents,
  checks: benchChecks,
  shell: benchShell,
  slack: benchSlackLatency,
  outbox: benchOutboxThroughput
};

const results: BenchResult[] = [];
for (const [name, run] of Object.entries(suites)) {
  if (only && only !== name) continue;
  process.stdout.write(`running ${name}…\n`);
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${name} took longer than ${SUITE_LIMIT_MS / 60_000} minutes`)),
      SUITE_LIMIT_MS
    );
  });
  results.push(...(await Promise.race([run(), limit]).finally(() => clearTimeout(timer))));
}
report(results);
process.exit(0);
