import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ApiErrorBody, IngestSummary } from '@firebreak/shared';

const USAGE = `Usage: firebreak ingest FILE... [--server URL] [--token TOKEN]

Sends Soda scan results (the JSON of \`soda scan -srf results.json\`, or of
scan.get_scan_results()) to a Firebreak server. FILE may be - for standard input.

  --server URL    default $FIREBREAK_URL, else http://127.0.0.1:8787
  --token TOKEN   default $FIREBREAK_INGEST_TOKEN, else the token in $DATA_DIR/ingest-token (./data)
`;

function fail(message: string, code = 1): never {
  process.stderr.write(message.endsWith('\n') ? message : message + '\n');
  process.exit(code);
}

function defaultToken(): string | undefined {
  if (process.env.FIREBREAK_INGEST_TOKEN) return process.env.FIREBREAK_INGEST_TOKEN;
  const file = path.join(path.resolve(process.env.DATA_DIR ?? 'data'), 'ingest-token');
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : undefined;
}

function describe(file: string, s: IngestSummary): string {
  const o = s.outcomes;
  return (
    `${file}: stored ${s.stored} result${s.stored === 1 ? '' : 's'} of "${s.definitionName}" at ${s.dataTimestamp} ` +
    `(${o.fail} fail, ${o.warn} warn, ${o.pass} pass, ${o.error} not evaluated; ${s.newChecks} new check${s.newChecks === 1 ? '' : 's'}); scan ${s.scanId}`
  );
}

async function ingest(files: string[], server: string, token: string): Promise<number> {
  let failures = 0;
  for (const file of files) {
    let body: string;
    try {
      body = file === '-' ? fs.readFileSync(0, 'utf8') : fs.readFileSync(file, 'utf8');
    } catch (err) {
      process.stderr.write(`${file}: cannot read: ${(err as Error).message}\n`);
      failures++;
      continue;
    }
    let res: Response;
    try {
      res = await fetch(`${server.replace(/\/$/, '')}/api/v1/scans`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body
      });
    } catch (err) {
      fail(
        `Cannot reach ${server}: ${(err as Error).cause ?? (err as Error).message}. Is the server running (pnpm start)?`
      );
    }
    const json = (await res.json().catch(() => null)) as IngestSummary | ApiErrorBody | null;
    if (res.ok && json && !('error' in json)) {
      process.stdout.write(describe(file, json) + '\n');
      continue;
    }
    failures++;
    const err = json && 'error' in json ? json.error : { message: `HTTP ${res.status}`, issues: undefined };
    process.stderr.write(`${file}: ${err.message}\n`);
    for (const i of err.issues ?? []) process.stderr.write(`  ${i.path}: ${i.message}\n`);
  }
  return failures;
}

async function main(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { server: { type: 'string' }, token: { type: 'string' }, help: { type: 'boolean', short: 'h' } }
  });
  const [command, ...files] = positionals;
  if (values.help || !command) return fail(USAGE, values.help ? 0 : 2);
  if (command !== 'ingest') return fail(`Unknown command "${command}".\n\n${USAGE}`, 2);
  if (!files.length) return fail(`ingest needs at least one FILE.\n\n${USAGE}`, 2);
  const server = values.server ?? process.env.FIREBREAK_URL ?? 'http://127.0.0.1:8787';
  const token = values.token ?? defaultToken();
  if (!token)
    return fail(
      'No ingest token: pass --token, set FIREBREAK_INGEST_TOKEN, or run from the folder holding data/ingest-token.',
      2
    );
  const failures = await ingest(files, server, token);
  process.exit(failures ? 1 : 0);
}

main(process.argv.slice(2)).catch((err) => fail(String(err?.stack ?? err)));
