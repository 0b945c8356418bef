import pino from 'pino';
import { loadConfig } from './config.ts';
import { startServer } from './server.ts';

const config = loadConfig();
const log = pino({ level: config.logLevel });

startServer(config, log).then(
  (server) => {
    log.info({ url: server.url, dataDir: config.dataDir, workspace: config.workspaceId }, 'Firebreak is listening');
    const lines = [`  Firebreak is running at ${server.url}`];
    if (server.bootstrapUrl)
      lines.push(
        `  Sign in as the first admin (one use, valid 7 days): ${server.bootstrapUrl}`,
        `  (a new link is printed at every start until someone has used one)`
      );
    if (config.open)
      lines.push(`  FIREBREAK_OPEN=1: browsers on this machine join "${config.workspaceId}" without an invite`);
    if (server.ingestToken)
      lines.push(
        `  Ingest token for "${config.workspaceId}" (kept in ${config.dataDir}/ingest-token): ${server.ingestToken}`,
        `  Send a scan: pnpm firebreak ingest results.json`
      );
    process.stdout.write(`\n${lines.join('\n')}\n\n`);
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'shutting down');
      server.close().then(
        () => process.exit(0),
        (err) => {
          log.error({ err }, 'shutdown failed');
          process.exit(1);
        }
      );
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  },
  (err) => {
    log.fatal({ err }, 'could not start');
    process.stderr.write(`\nFirebreak could not start: ${(err as Error).message}\n`);
    process.exit(1);
  }
);
