import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postScan, readFixture, signIn, startTestServer, tempDir, type Session } from '../test/harness.ts';
import type { RunningServer } from '../server.ts';
import { negotiate } from './encoding.ts';

/** A GET without fetch's automatic decompression: the bytes and headers as they came off the wire. */
function rawGet(url: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}

function decode(res: { headers: http.IncomingHttpHeaders; body: Buffer }): string {
  const coding = res.headers['content-encoding'];
  if (coding === 'br') return zlib.brotliDecompressSync(res.body).toString('utf8');
  if (coding === 'gzip') return zlib.gunzipSync(res.body).toString('utf8');
  return res.body.toString('utf8');
}

describe('Accept-Encoding negotiation', () => {
  it('[W4] honours q-values and wildcards, prefers brotli at equal q, falls back to identity', () => {
    expect(negotiate('gzip, deflate, br')).toBe('br');
    expect(negotiate('gzip, br;q=0.5')).toBe('gzip');
    expect(negotiate('br;q=0, gzip')).toBe('gzip');
    expect(negotiate('br;q=0, gzip;q=0')).toBeNull();
    expect(negotiate('*')).toBe('br');
    expect(negotiate('*;q=0.2, gzip;q=0.1')).toBe('br');
    expect(negotiate('identity')).toBeNull();
    expect(negotiate(undefined)).toBeNull();
    expect(negotiate('GZIP')).toBe('gzip');
    expect(negotiate('x-gzip')).toBe('gzip');
    expect(negotiate('gzip, br', ['gzip'])).toBe('gzip');
  });
});

describe('serving compressed', () => {
  let server: RunningServer;
  let me: Session;
  // Big enough to be worth compressing, varied enough that the codings differ in size.
  const js = Array.from({ length: 400 }, (_, i) => `export const v${i} = ${i * 7919} % 1013;`).join('\n');
  beforeAll(async () => {
    const webDir = tempDir('firebreak-web-');
    fs.mkdirSync(path.join(webDir, '_app/immutable/entry'), { recursive: true });
    fs.writeFileSync(
      path.join(webDir, 'index.html'),
      `<!doctype html><title>shell</title><script>boot()</script><main>${'<p>skeleton</p>'.repeat(200)}</main>`
    );
    const file = path.join(webDir, '_app/immutable/entry/app.js');
    fs.writeFileSync(file, js);
    fs.writeFileSync(file + '.br', zlib.brotliCompressSync(js));
    fs.writeFileSync(file + '.gz', zlib.gzipSync(js));
    fs.writeFileSync(path.join(webDir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    server = (await startTestServer({ webDir })).server;
    me = await signIn(server, { role: 'viewer' });
  });
  afterAll(() => server.close());

  it('[W4] built assets: brotli or gzip by Accept-Encoding, the JavaScript type, Vary on every variant', async () => {
    const url = `${server.url}/_app/immutable/entry/app.js`;
    const br = await rawGet(url, { 'accept-encoding': 'gzip, deflate, br' });
    const gz = await rawGet(url, { 'accept-encoding': 'gzip;q=1, br;q=0' });
    const plain = await rawGet(url, { 'accept-encoding': 'identity' });
    expect([br.headers['content-encoding'], gz.headers['content-encoding'], plain.headers['content-encoding']]).toEqual(
      ['br', 'gzip', undefined]
    );
    for (const res of [br, gz, plain]) {
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/javascript/);
      expect(res.headers.vary).toMatch(/Accept-Encoding/i);
      expect(res.headers['cache-control']).toMatch(/immutable/);
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
      expect(Number(res.headers['content-length'])).toBe(res.body.length);
      expect(decode(res)).toBe(js);
    }
    expect(br.body.length).toBeLessThan(gz.body.length);
    expect(gz.body.length).toBeLessThan(plain.body.length);
  });

  it('[W4] a file without precompressed siblings is served as it is', async () => {
    const res = await rawGet(`${server.url}/favicon.svg`, { 'accept-encoding': 'br, gzip' });
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.headers['content-type']).toMatch(/image\/svg\+xml/);
  });

  it('[W4] path tricks never reach outside the build folder', async () => {
    for (const p of ['/_app/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/_app/immutable/entry/app.js%00']) {
      const res = await rawGet(`${server.url}${p}`, { 'accept-encoding': 'br' });
      // Either refused or answered with the shell (a client route), never the file.
      expect(decode(res)).not.toContain('root:');
      expect(decode(res)).not.toContain('export const');
    }
  });

  it('[W5] the shell is compressed and keeps its CSP with the inline script hash', async () => {
    const res = await rawGet(`${server.url}/w/default/incidents`, { 'accept-encoding': 'br' });
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers.vary).toMatch(/Accept-Encoding/i);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.headers['content-security-policy']).toMatch(/script-src 'self' 'sha256-/);
    expect(decode(res)).toContain('<script>boot()</script>');
  });

  it('[W5] API answers above 1 KB are compressed; small ones are not', async () => {
    await postScan(server, readFixture('soda-scan-orders.json'));
    await postScan(server, readFixture('soda-scan-results-python.json'));
    const url = `${server.url}/api/v1/w/default/checks`;
    const gz = await rawGet(url, { cookie: me.cookie, 'accept-encoding': 'gzip' });
    const br = await rawGet(url, { cookie: me.cookie, 'accept-encoding': 'br, gzip' });
    const plain = await rawGet(url, { cookie: me.cookie });
    expect(plain.body.length).toBeGreaterThan(1024);
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(br.headers['content-encoding']).toBe('br');
    expect(plain.headers['content-encoding']).toBeUndefined();
    for (const res of [gz, br, plain]) {
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/application\/json/);
      expect(res.headers.vary).toMatch(/Accept-Encoding/i);
      expect(JSON.parse(decode(res))).toEqual(JSON.parse(plain.body.toString('utf8')));
    }
    expect(br.body.length).toBeLessThan(plain.body.length);
    const small = await rawGet(`${server.url}/api/v1/health`, { 'accept-encoding': 'br, gzip' });
    expect(small.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(small.body.toString('utf8'))).toBeTruthy();
  });
});
