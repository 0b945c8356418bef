import { parseSodaScan, type IngestSummary } from '@firebreak/shared';
import { ApiError } from '../api/errors.ts';
import type { CatalogStore } from './catalog-store.ts';

export interface IngestDeps {
  catalog: CatalogStore;
  /** Moves the system document's catalog version so open browsers pull the new results. */
  bumpCatalogVersion(): Promise<number>;
  now?: () => Date;
}

/**
 * Validates a Soda scan results object and stores it: all of it, or on any problem nothing,
 * with every offending JSON path in the error.
 */
export async function ingestScan(deps: IngestDeps, body: unknown): Promise<IngestSummary> {
  const parsed = parseSodaScan(body);
  if (!parsed.ok) {
    const n = parsed.issues.length;
    throw new ApiError(
      400,
      'invalid_scan',
      `The scan file has ${n} problem${n === 1 ? '' : 's'}; nothing was stored`,
      parsed.issues
    );
  }
  const { scan } = parsed;
  const stored = await deps.catalog.ingest(scan, (deps.now?.() ?? new Date()).toISOString());
  const catalogVersion = await deps.bumpCatalogVersion();
  return {
    scanId: stored.scanId,
    definitionName: scan.definitionName,
    dataTimestamp: scan.dataTimestamp,
    stored: stored.stored,
    newChecks: stored.newChecks,
    outcomes: stored.outcomes,
    catalogVersion
  };
}
