import { z } from 'zod';

/**
 * dbt artifacts: `target/run_results.json` (schemas.getdbt.com/dbt/run-results/v4…v6, dbt 1.3 to
 * 1.9+) and, optionally, `target/manifest.json` for the model, column and test kind behind each
 * test. Like the Soda schema, every object is loose (unknown keys kept) and most values may be
 * null: only what Firebreak reads is checked. See https://docs.getdbt.com/reference/artifacts/.
 */

const isoTimestamp = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'not an ISO-8601 timestamp');
const stringMap = z.record(z.string(), z.unknown());
/** An object checked as such without copying its (possibly 100,000) entries. */
const nodeMap = (error: string) =>
  z.custom<Record<string, unknown>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), { error });

/** `https://schemas.getdbt.com/dbt/run-results/v6.json` → 6. */
export const RUN_RESULTS_SCHEMA = /\/run-results\/v(\d+)\.json$/;
/** v4 is dbt 1.3's; earlier files come from dbt releases without `failures` on every result. */
export const MIN_RUN_RESULTS_VERSION = 4;

export const DbtTimingSchema = z.object({
  name: z.string(),
  started_at: isoTimestamp.nullish(),
  completed_at: isoTimestamp.nullish()
});

/**
 * The status of a test node. `runtime error` belongs to source freshness, but dbt's own schema
 * lets any result carry it, so it reads as `error`.
 */
export const TEST_STATUSES = ['pass', 'warn', 'fail', 'error', 'skipped', 'runtime error'] as const;
export type DbtTestStatus = (typeof TEST_STATUSES)[number];

const testStatus = z
  .string()
  .transform((s) => s.toLowerCase())
  .pipe(z.enum(TEST_STATUSES, { error: 'a test’s status must be pass, warn, fail, error or skipped' }));

/**
 * Any node's result: only its id matters until it turns out to be a test. A plain (stripping)
 * object, so the check costs one key per result; tests are parsed again, whole, below.
 */
export const DbtNodeResultSchema = z.object({
  unique_id: z.string({ error: 'every result needs its node’s unique_id' }).min(1)
});

/**
 * A result whose `unique_id` starts with `test.`. Stripping: a check keeps the result as received
 * in its `raw`, so a copy of the unknown keys would only be garbage.
 */
export const DbtTestResultSchema = z.object({
  unique_id: z.string().min(1),
  status: testStatus,
  /** Rows the test query returned (its `fail_calc`); null when the test did not run. */
  failures: z.number().nullish(),
  message: z.string().nullish(),
  timing: z.array(DbtTimingSchema).nullish(),
  execution_time: z.number().nullish(),
  adapter_response: stringMap.nullish(),
  thread_id: z.string().nullish(),
  /** v5+ */
  compiled: z.boolean().nullish(),
  compiled_code: z.string().nullish(),
  /** v5+: the table holding failing rows when the test stores failures. */
  relation_name: z.string().nullish()
});
export type DbtTestResult = z.infer<typeof DbtTestResultSchema>;

export const DbtRunResultsSchema = z.looseObject({
  metadata: z.looseObject(
    {
      dbt_schema_version: z.string({ error: 'metadata.dbt_schema_version names the artifact and its version' }),
      dbt_version: z.string().nullish(),
      generated_at: isoTimestamp.nullish(),
      invocation_id: z.string().nullish(),
      env: stringMap.nullish()
    },
    { error: 'metadata must be an object with dbt_schema_version' }
  ),
  results: z.array(DbtNodeResultSchema, { error: 'results must be an array of node results' }),
  elapsed_time: z.number().nullish(),
  args: stringMap.nullish()
});
export type DbtRunResults = z.infer<typeof DbtRunResultsSchema>;

export const DbtManifestSchema = z.looseObject({
  metadata: z
    .looseObject({
      dbt_schema_version: z.string().nullish(),
      dbt_version: z.string().nullish(),
      project_name: z.string().nullish(),
      adapter_type: z.string().nullish()
    })
    .nullish(),
  // Maps of every node in the project: only the nodes a run's tests use are parsed, below.
  nodes: nodeMap('a manifest’s nodes must be an object keyed by unique_id'),
  sources: nodeMap('a manifest’s sources must be an object keyed by unique_id').nullish()
});
export type DbtManifest = z.infer<typeof DbtManifestSchema>;

/*
 * Manifest nodes are read, never stored, so their schemas are plain objects: unknown keys (dozens
 * per node) are dropped instead of copied.
 */

/** A test node in `manifest.nodes`: generic tests carry `test_metadata`, singular ones do not. */
export const DbtTestNodeSchema = z.object({
  name: z.string().nullish(),
  package_name: z.string().nullish(),
  original_file_path: z.string().nullish(),
  tags: z.array(z.string()).nullish(),
  meta: stringMap.nullish(),
  config: z
    .object({
      severity: z.string().nullish(),
      warn_if: z.string().nullish(),
      error_if: z.string().nullish(),
      fail_calc: z.string().nullish(),
      meta: stringMap.nullish()
    })
    .nullish(),
  column_name: z.string().nullish(),
  /** dbt 1.5+: the model, seed, snapshot or source the test is attached to. */
  attached_node: z.string().nullish(),
  depends_on: z.object({ nodes: z.array(z.string()).nullish() }).nullish(),
  test_metadata: z
    .object({
      name: z.string({ error: 'test_metadata.name is the generic test’s name' }).min(1),
      kwargs: stringMap.nullish(),
      namespace: z.string().nullish()
    })
    .nullish(),
  raw_code: z.string().nullish(),
  /** Before dbt 1.3 */
  raw_sql: z.string().nullish()
});
export type DbtTestNode = z.infer<typeof DbtTestNodeSchema>;

/** A model, seed or snapshot in `manifest.nodes`, or a source in `manifest.sources`. */
export const DbtRelationNodeSchema = z.object({
  name: z.string().nullish(),
  resource_type: z.string().nullish(),
  database: z.string().nullish(),
  schema: z.string().nullish(),
  alias: z.string().nullish(),
  /** Sources only */
  identifier: z.string().nullish(),
  source_name: z.string().nullish(),
  relation_name: z.string().nullish()
});
export type DbtRelationNode = z.infer<typeof DbtRelationNodeSchema>;
