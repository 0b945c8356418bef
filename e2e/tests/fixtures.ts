import { test as base } from '@playwright/test';
import { startServer, type ServerProcess } from '../support/server.ts';

/** Every test gets its own server process and data folder. */
export const test = base.extend<{ server: ServerProcess }>({
  server: async ({}, use) => {
    const server = await startServer();
    await use(server);
    await server.stop();
  }
});
export { expect } from '@playwright/test';
