import { benchChecks, benchIncidents } from './browser.ts';
import { benchIngest } from './ingest.ts';
import { report, type BenchResult } from './stats.ts';

const only = process.argv[2];
const suites: Record<string, () => Promise<BenchResult[]>> = {
  ingest: benchIngest,
  incidents: benchIncidents,
  checks: benchChecks
};

const results: BenchResult[] = [];
for (const [name, run] of Object.entries(suites)) {
  if (only && only !== name) continue;
  process.stdout.write(`running ${name}…\n`);
  results.push(...(await run()));
}
report(results);
