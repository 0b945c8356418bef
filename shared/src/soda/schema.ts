import { z } from 'zod';

/**
 * Soda Core 3.x scan results: what `soda scan -srf results.json` writes and what
 * `scan.get_scan_results()` returns. Real files carry keys we do not know yet, so every object is
 * loose (unknown keys kept) and most values may be null. See spec/soda.md in the design notes.
 */

const isoTimestamp = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not an ISO-8601 timestamp');

const outcome = z
  .string()
  .transform((s) => s.toLowerCase())
  .pipe(z.enum(['pass', 'warn', 'fail'], { error: 'outcome must be pass, warn, fail or null' }));

/** A bad zone of a threshold check: `{greaterThan?, greaterThanOrEqual?, lessThan?, lessThanOrEqual?}`. */
const zone = z.looseObject({
  greaterThan: z.number().nullish(),
  greaterThanOrEqual: z.number().nullish(),
  lessThan: z.number().nullish(),
  lessThanOrEqual: z.number().nullish()
});

const block = z.looseObject({
  type: z.string(),
  title: z.string().nullish(),
  text: z.string().nullish(),
  file: z
    .looseObject({
      columns: z.array(z.looseObject({ name: z.string(), type: z.string().nullish() })).nullish(),
      totalRowCount: z.number().nullish(),
      storedRowCount: z.number().nullish()
    })
    .nullish(),
  totalFailingRows: z.number().nullish(),
  /** Not in Soda's own files (it uploads samples separately); a sampler may send rows along. */
  rows: z.array(z.unknown()).nullish()
});

export const SodaDiagnosticsSchema = z.looseObject({
  value: z.union([z.number(), z.string(), z.boolean()]).nullish(),
  blocks: z.array(block).nullish(),
  fail: zone.nullish(),
  warn: zone.nullish()
});

export const SodaCheckSchema = z.looseObject({
  identity: z.string().min(1).nullish(),
  identities: z.record(z.string(), z.string().nullish()).nullish(),
  name: z.string().nullish(),
  type: z.string().nullish(),
  definition: z.string().nullish(),
  resourceAttributes: z.array(z.looseObject({ name: z.string(), value: z.unknown() })).nullish(),
  location: z
    .looseObject({ filePath: z.string().nullish(), line: z.number().nullish(), col: z.number().nullish() })
    .nullish(),
  dataSource: z.string().nullish(),
  table: z.string().nullish(),
  column: z.string().nullish(),
  filter: z.string().nullish(),
  metrics: z.array(z.string()).nullish(),
  outcome: outcome.nullish(),
  outcomeReasons: z
    .array(z.looseObject({ code: z.string().nullish(), message: z.string().nullish(), severity: z.string().nullish() }))
    .nullish(),
  diagnostics: SodaDiagnosticsSchema.nullish()
});
export type SodaCheck = z.infer<typeof SodaCheckSchema>;

export const SodaScanSchema = z.looseObject({
  definitionName: z.string().nullish(),
  defaultDataSource: z.string().nullish(),
  dataTimestamp: isoTimestamp.nullish(),
  scanStartTimestamp: isoTimestamp.nullish(),
  scanEndTimestamp: isoTimestamp.nullish(),
  hasErrors: z.boolean().nullish(),
  hasWarnings: z.boolean().nullish(),
  hasFailures: z.boolean().nullish(),
  metrics: z
    .array(z.looseObject({ identity: z.string().nullish(), metricName: z.string().nullish(), value: z.unknown() }))
    .nullish(),
  checks: z.array(SodaCheckSchema, { error: 'checks must be an array of check results' }),
  logs: z
    .array(
      z.looseObject({
        level: z.string().nullish(),
        message: z.string().nullish(),
        timestamp: z.string().nullish(),
        index: z.number().nullish()
      })
    )
    .nullish()
});
export type SodaScan = z.infer<typeof SodaScanSchema>;
