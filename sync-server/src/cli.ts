import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { MemberRole, type ApiErrorBody, type IngestSummary } from '@firebreak/shared';
import { openDatabase } from './db/open.ts';
import { parseDuration } from './access/crypto.ts';
import { InviteStore } from './access/invites.ts';
import { IngestTokenStore } from './access/ingest-tokens.ts';
import { WorkspaceExistsError, WorkspaceStore } from './access/workspaces.ts';

const USAGE = `Usage:
  firebreak ingest FILE... [--server URL] [--token TOKEN] [--manifest manifest.json]
      Sends check results to a Firebreak server: Soda scan results (\`soda scan -srf results.json\`
      or scan.get_scan_results()), a dbt run_results.json (with --manifest, dbt's manifest.json
      names the models, columns and tests) or Great Expectations validation results. The format
      is read from the content. FILE may be - for standard input. Sending the same scan again
      stores nothing and says so.
        --server URL    default $FIREBREAK_URL, else http://127.0.0.1:8787
        --token TOKEN   default $FIREBREAK_INGEST_TOKEN, else the token in $DATA_DIR/ingest-token (./data)

  On the server's machine (they read and write $DATA_DIR, default ./data, running server or not):
  firebreak workspace create ID [--name NAME]     a new workspace; prints its first admin's join link
  firebreak invite [--workspace ID] [--role admin|editor|viewer] [--expires 7d]
                                                  a one-time join link (default: editor, 7 days)
  firebreak token create [--workspace ID] [--name NAME]
                                                  an ingest token, shown once
  --workspace defaults to $FIREBREAK_WORKSPACE, else "default". Links use $PUBLIC_URL, else
  http://$HOST:$PORT (127.0.0.1:8787).
`;

function dataDir(): string {
  return path.resolve(process.env.DATA_DIR ?? 'data');
}

function publicUrl(): string {
  if (process.env.PUBLIC_URL) return process.env.PUBLIC_URL.replace(/\/$/, '');
  const host = process.env.HOST ?? '127.0.0.1';
  return `http://${host.includes(':') ? `[${host}]` : host}:${process.env.PORT ?? 8787}`;
}

/** Opens the data folder's database; refuses to create one (that is the server's first start). */
function openData() {
  const dir = dataDir();
  if (!fs.existsSync(path.join(dir, 'firebreak.sqlite')))
    fail(`No Firebreak data in ${dir}: start the server once (pnpm start), or set DATA_DIR to its data folder.`, 2);
  return openDatabase(dir, { defaultWorkspaceId: process.env.FIREBREAK_WORKSPACE ?? 'default' });
}

function workspaceArg(ws: WorkspaceStore, id: string | undefined): string {
  const wsId = id ?? process.env.FIREBREAK_WORKSPACE ?? 'default';
  if (!ws.get(wsId))
    fail(
      `No workspace "${wsId}". Workspaces here: ${
        ws
          .list()
          .map((w) => w.id)
          .join(', ') || 'none'
      }.`,
      2
    );
  return wsId;
}

function createWorkspace(id: string | undefined, name: string | undefined) {
  if (!id) return fail(`workspace create needs an ID.\n\n${USAGE}`, 2);
  const db = openData();
  const store = new WorkspaceStore(db);
  try {
    const ws = store.create(id, name ?? id);
    const { token } = new InviteStore(db).create(ws.id, { role: 'admin' });
    process.stdout.write(
      `Created workspace "${ws.id}" (${ws.name}).\nIts first admin joins with (one use, valid 7 days):\n  ${publicUrl()}/join/${token}\n`
    );
  } catch (err) {
    if (err instanceof WorkspaceExistsError) fail(err.message, 1);
    const issues = (err as { issues?: Array<{ message: string }> }).issues;
    fail(issues ? `Invalid workspace: ${issues.map((i) => i.message).join('; ')}` : String(err), 2);
  }
}

function invite(values: { workspace?: string; role?: string; expires?: string }) {
  const role = MemberRole.safeParse(values.role ?? 'editor');
  if (!role.success) return fail(`--role must be admin, editor or viewer (got "${values.role}")`, 2);
  let ttlMs: number;
  try {
    ttlMs = parseDuration(values.expires ?? '7d');
  } catch (err) {
    return fail(`--expires: ${(err as Error).message}`, 2);
  }
  const db = openData();
  const wsId = workspaceArg(new WorkspaceStore(db), values.workspace);
  const { invite, token } = new InviteStore(db).create(wsId, { role: role.data, ttlMs });
  process.stdout.write(
    `Join link for "${wsId}" as ${invite.role} (one use, until ${invite.expiresAt}):\n  ${publicUrl()}/join/${token}\n`
  );
}

function createToken(values: { workspace?: string; name?: string }) {
  const db = openData();
  const wsId = workspaceArg(new WorkspaceStore(db), values.workspace);
  const { token } = new IngestTokenStore(db).create(wsId, values.name ?? 'Created with firebreak token create');
  process.stdout.write(
    `Ingest token for "${wsId}" (shown once; store it in your pipeline's secrets):\n  ${token}\n` +
      `Send a scan: pnpm firebreak ingest results.json --server ${publicUrl()} --token ${token}\n`
  );
}

function fail(message: string, code = 1): never {
  process.stderr.write(message.endsWith('\n') ? message : message + '\n');
  process.exit(code);
}

function defaultToken(): string | undefined {
  if (process.env.FIREBREAK_INGEST_TOKEN) return process.env.FIREBREAK_INGEST_TOKEN;
  const file = path.join(dataDir(), 'ingest-token');
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : undefined;
}

function describe(file: string, s: IngestSummary): string {
  const o = s.outcomes;
  if (s.alreadyStored)
    return `${file}: already stored: "${s.definitionName}" at ${s.dataTimestamp} was sent before (scan ${s.scanId}); nothing new stored`;
  return (
    `${file}: stored ${s.stored} result${s.stored === 1 ? '' : 's'} of "${s.definitionName}" at ${s.dataTimestamp} ` +
    `(${o.fail} fail, ${o.warn} warn, ${o.pass} pass, ${o.error} not evaluated; ${s.newChecks} new check${s.newChecks === 1 ? '' : 's'}); scan ${s.scanId}`
  );
}

async function ingest(files: string[], server: string, token: string, manifestFile?: string): Promise<number> {
  let manifest: unknown = undefined;
  if (manifestFile) {
    try {
      manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
    } catch (err) {
      process.stderr.write(`${manifestFile}: cannot read the manifest: ${(err as Error).message}\n`);
      return files.length || 1;
    }
  }
  let failures = 0;
  for (const file of files) {
    let body: string;
    try {
      body = file === '-' ? fs.readFileSync(0, 'utf8') : fs.readFileSync(file, 'utf8');
      // dbt: run results and the manifest travel together, as the server reads them.
      if (manifest !== undefined) body = `{"run_results":${body},"manifest":${JSON.stringify(manifest)}}`;
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
    options: {
      server: { type: 'string' },
      token: { type: 'string' },
      workspace: { type: 'string' },
      role: { type: 'string' },
      expires: { type: 'string' },
      name: { type: 'string' },
      manifest: { type: 'string' },
      help: { type: 'boolean', short: 'h' }
    }
  });
  const [command, ...files] = positionals;
  if (values.help || !command) return fail(USAGE, values.help ? 0 : 2);
  if (command === 'workspace' && files[0] === 'create') return createWorkspace(files[1], values.name);
  if (command === 'invite') return invite(values);
  if (command === 'token' && files[0] === 'create') return createToken(values);
  if (command !== 'ingest') return fail(`Unknown command "${positionals.join(' ')}".\n\n${USAGE}`, 2);
  if (!files.length) return fail(`ingest needs at least one FILE.\n\n${USAGE}`, 2);
  const server = values.server ?? process.env.FIREBREAK_URL ?? 'http://127.0.0.1:8787';
  const token = values.token ?? defaultToken();
  if (!token)
    return fail(
      'No ingest token: pass --token, set FIREBREAK_INGEST_TOKEN, or run from the folder holding data/ingest-token.',
      2
    );
  const failures = await ingest(files, server, token, values.manifest);
  process.exit(failures ? 1 : 0);
}

main(process.argv.slice(2)).catch((err) => fail(String(err?.stack ?? err)));
