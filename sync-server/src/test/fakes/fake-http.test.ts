import { afterEach, describe, expect, it } from 'vitest';
import { FakeHttpServer } from './fake-http.ts';

let fake: FakeHttpServer;
afterEach(() => fake?.close());

const get = (path = '/x') =>
  fetch(fake.url + path).then(
    (r) => r.status,
    (e: { cause?: { code?: string } }) => e.cause?.code ?? 'error'
  );

describe('fake vendor servers: fault injection', () => {
  it('failNext and rateLimitNext apply to the next N matching requests only', async () => {
    fake = await new FakeHttpServer(() => ({ status: 200, body: { ok: true } })).start();
    fake.failNext(2, { path: '/a' }).rateLimitNext(1, 9);
    expect(await get('/b')).toBe(429);
    expect(fake.requests[0]!.fault).toBe('status');
    expect([await get('/a'), await get('/a'), await get('/a')]).toEqual([500, 500, 200]);
    const limited = fake.rateLimitNext(1, 9);
    expect(limited).toBe(fake);
    const res = await fetch(fake.url + '/c');
    expect(res.headers.get('retry-after')).toBe('9');
  });

  it('down() refuses connections or answers 503; up() comes back on the same port', async () => {
    let handled = 0;
    fake = await new FakeHttpServer(() => {
      handled++;
      return { status: 204 };
    }).start();
    const port = fake.port;
    await fake.down();
    expect(await get()).toBe('ECONNREFUSED');
    await fake.up();
    expect(fake.port).toBe(port);
    expect(await get()).toBe(204);
    await fake.down(503);
    expect(await get()).toBe(503);
    await fake.up();
    expect(await get()).toBe(204);
    expect(handled).toBe(2);
  });

  it('drop with apply acts on the request and then resets the connection; hang never answers', async () => {
    let applied = 0;
    fake = await new FakeHttpServer(() => {
      applied++;
      return { status: 200 };
    }).start();
    fake.dropNext(1, { apply: true });
    expect(await get()).toBe('UND_ERR_SOCKET');
    expect(applied).toBe(1);
    fake.hangNext(1);
    const hung = fetch(fake.url + '/h', { signal: AbortSignal.timeout(200) }).catch((e: Error) => e.name);
    expect(await hung).toBe('TimeoutError');
    expect(applied).toBe(1);
    expect(fake.requestsTo('/h')[0]!.status).toBeNull();
  });
});
