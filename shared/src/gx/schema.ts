import { z } from 'zod';

/**
 * Great Expectations validation results as `ExpectationSuiteValidationResult.to_json_dict()`
 * writes them (GX 0.18 and 1.x), and checkpoint results wrapping several of them. Loose objects,
 * nullable values: only what Firebreak reads is checked.
 */

/** GX writes `validation_time` as `20240502T090003.123456Z` (0.18) or ISO-8601 (1.x). */
const COMPACT_TIME = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(?:\.(\d+))?Z$/;

export function gxTimestamp(s: string): string | null {
  const m = COMPACT_TIME.exec(s);
  const iso = m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${(m[7] ?? '0').slice(0, 3).padEnd(3, '0')}Z` : s;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

const timestamp = z.string().refine((s) => gxTimestamp(s) !== null, 'not a timestamp');
const stringMap = z.record(z.string(), z.unknown());

export const GxRunIdSchema = z.looseObject({ run_name: z.string().nullish(), run_time: timestamp.nullish() });

export const GxExpectationConfigSchema = z.looseObject({
  /** GX 0.18 */
  expectation_type: z.string().min(1).nullish(),
  /** GX 1.x */
  type: z.string().min(1).nullish(),
  kwargs: stringMap.nullish(),
  meta: stringMap.nullish(),
  id: z.string().nullish(),
  /** GX 1.x: the display text of an expectation, when its author wrote one. */
  description: z.string().nullish(),
  severity: z.string().nullish()
});
export type GxExpectationConfig = z.infer<typeof GxExpectationConfigSchema>;

/**
 * `{raised_exception, exception_message, exception_traceback}`; when a metric failed to compute,
 * GX 0.18 keys that same shape by metric id instead (`"('column_values.nonnull.unexpected_count', …)"`).
 */
export const GxExceptionInfoSchema = z.looseObject({
  raised_exception: z.boolean().nullish(),
  exception_message: z.string().nullish(),
  exception_traceback: z.string().nullish()
});
export type GxExceptionInfo = z.infer<typeof GxExceptionInfoSchema>;

export const GxResultDetailsSchema = z.looseObject({
  observed_value: z.unknown().optional(),
  element_count: z.number().nullish(),
  missing_count: z.number().nullish(),
  unexpected_count: z.number().nullish(),
  unexpected_percent: z.number().nullish(),
  partial_unexpected_list: z.array(z.unknown()).nullish(),
  partial_unexpected_counts: z.array(z.looseObject({ value: z.unknown(), count: z.number() })).nullish()
});

export const GxExpectationResultSchema = z.looseObject({
  success: z.boolean().nullish(),
  expectation_config: GxExpectationConfigSchema,
  result: GxResultDetailsSchema.nullish(),
  meta: stringMap.nullish(),
  exception_info: GxExceptionInfoSchema.nullish()
});
export type GxExpectationResult = z.infer<typeof GxExpectationResultSchema>;

export const GxBatchDefinitionSchema = z.looseObject({
  datasource_name: z.string().nullish(),
  data_connector_name: z.string().nullish(),
  data_asset_name: z.string().nullish(),
  batch_identifiers: stringMap.nullish()
});

export const GxValidationSchema = z.looseObject({
  success: z.boolean().nullish(),
  results: z.array(GxExpectationResultSchema, { error: 'results must be an array of expectation results' }),
  /** GX 1.x; 0.18 has meta.expectation_suite_name */
  suite_name: z.string().nullish(),
  statistics: stringMap.nullish(),
  meta: z
    .looseObject({
      great_expectations_version: z.string().nullish(),
      expectation_suite_name: z.string().nullish(),
      run_id: GxRunIdSchema.nullish(),
      validation_time: timestamp.nullish(),
      checkpoint_name: z.string().nullish(),
      active_batch_definition: GxBatchDefinitionSchema.nullish(),
      batch_spec: stringMap.nullish()
    })
    .nullish()
});
export type GxValidation = z.infer<typeof GxValidationSchema>;

/**
 * `CheckpointResult`: `run_results` keyed by validation result id. Each value is the validation
 * result itself (GX 1.x) or `{validation_result, actions_results}` (0.18).
 */
export const GxCheckpointSchema = z.looseObject({
  run_id: GxRunIdSchema.nullish(),
  run_results: z.record(z.string(), z.unknown(), { error: 'run_results must be an object of validation results' }),
  checkpoint_config: z.looseObject({ name: z.string().nullish() }).nullish(),
  name: z.string().nullish(),
  success: z.boolean().nullish()
});
export type GxCheckpoint = z.infer<typeof GxCheckpointSchema>;
