import pino from 'pino';
import { loadConfig } from './config.ts';
import { startServer } from './server.ts';

const config = loadConfig();
const log = pino({ level: config.logLevel });

startServer(config, log).then(
  (server) => {
    log.info({ url: server.url, dataDir: config.dataDir, workspace: config.workspaceId }, 'Firebreak is listening');
    const tokenNote = config.ingestToken ? '(from FIREBREAK_INGEST_TOKEN)' : `(kept in ${config.dataDir}/ingest-token)`;
    process.stdout.write(
      `\n  Firebreak is running at ${server.url}\n` +
        `  Ingest token ${tokenNote}: ${server.ingestToken}\n` +
        `  Send a scan: pnpm firebreak ingest results.json --server ${server.url} --token ${server.ingestToken}\n\n`
    );
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
    process.exit(1);
  }
);
