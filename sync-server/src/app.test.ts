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
    fs.writeFileSync(path.join(webDir, 'index.html'), '<!doctype html><title>shell v1</title><script>boot()</script>');
    fs.writeFileSync(path.join(webDir, '_app/immutable/app.js'), 'export {}');
    server = (await startTestServer({ webDir })).server;
  });
  afterAll(() => server.close());

  it('[W1] client routes get the shell, re-read after a rebuild', async () => {
    const res = await fetch(`${server.url}/incidents/01ABC`);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(await res.text()).toContain('shell v1');
    fs.writeFileSync(path.join(webDir, 'index.html'), '<!doctype html><title>shell v2</title><script>boot()</script>');
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

  it('[W3] every answer carries the security headers; the shell allows exactly its own inline script', async () => {
    const { createHash } = await import('node:crypto');
    const hash = `'sha256-${createHash('sha256').update('boot()').digest('base64')}'`;
    for (const p of ['/', '/w/default/incidents/x']) {
      const res = await fetch(`${server.url}${p}`);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain(`script-src 'self' ${hash}`);
      expect(csp).not.toContain("'unsafe-inline' 'self' 'sha256"); // scripts: never unsafe-inline
      expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    }
    const api = await fetch(`${server.url}/api/v1/health`);
    expect(api.headers.get('content-security-policy')).toContain("default-src 'none'");
    const asset = await fetch(`${server.url}/_app/immutable/app.js`);
    expect(asset.headers.get('content-security-policy')).toContain("default-src 'self'");
  });
});
