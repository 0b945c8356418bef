import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, tempDir } from './test/harness.ts';
import type { RunningServer } from './server.ts';

describe('serving the SPA', () => {
  let server: RunningServer;
  let webDir: string;
  beforeAll(async () => {
    webDir = tempDir('firebreak-web-');
    fs.mkdirSync(path.join(webDir, '_app/immutable'), { recursive: true });
    fs.writeFileSync(path.join(webDir, 'index.html'), '<!doctype html><title>shell v1</title>');
    fs.writeFileSync(path.join(webDir, '_app/immutable/app.js'), 'export {}');
    server = (await startTestServer({ webDir })).server;
  });
  afterAll(() => server.close());

  it('[W1] client routes get the shell, re-read after a rebuild', async () => {
    const res = await fetch(`${server.url}/incidents/01ABC`);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(await res.text()).toContain('shell v1');
    fs.writeFileSync(path.join(webDir, 'index.html'), '<!doctype html><title>shell v2</title>');
    expect(await (await fetch(`${server.url}/checks/x`)).text()).toContain('shell v2');
  });

  it('[W2] assets are cached for good; a missing asset is a 404, not the shell', async () => {
    const asset = await fetch(`${server.url}/_app/immutable/app.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toMatch(/immutable/);
    const missing = await fetch(`${server.url}/_app/immutable/old-build.js`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).not.toMatch(/html/);
  });
});
