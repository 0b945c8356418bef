// Entry of the compaction worker thread (see WorkerCompactor in compaction.ts). Plain JavaScript so
// that Node starts it whatever loader the main thread has; tsx loads the TypeScript job.
import { tsImport } from 'tsx/esm/api';

await tsImport('./compaction-job.ts', import.meta.url);
