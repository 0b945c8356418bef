import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createSafeFetch, EgressError, MAX_REDIRECTS, parseEgressAllow } from './egress.ts';
import { parseIp, refusedKind } from './egress-policy.ts';
import { networkError } from './http.ts';
import { DeliveryError } from './types.ts';

interface Seen {
  method: string;
  url: string;
  body: string;
}

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** A real loopback server; `seen` records every request that reached it. */
async function serve(
  handler: (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void,
  host = '127.0.0.1'
) {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, body });
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      })
  );
  const port = (server.address() as AddressInfo).port;
  return { port, seen, url: `http://${host.includes(':') ? `[${host}]` : host}:${port}` };
}

const ok = (_req: http.IncomingMessage, res: http.ServerResponse, body: string) => {
  res.writeHead(200, { 'content-type': 'application/json', 'x-echo': 'yes' });
  res.end(JSON.stringify({ ok: true, body }));
};

async function refusal(p: Promise<unknown>): Promise<EgressError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e
  );
  expect(err).toBeInstanceOf(EgressError);
  return err as EgressError;
}

describe('egress policy: which addresses are refused', () => {
  it.each([
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'carrier-grade NAT (shared)'],
    ['224.0.0.251', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['255.255.255.255', 'reserved'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['fe80::1%eth0', 'link-local'],
    ['fd12:3456::1', 'unique-local'],
    ['ff02::1', 'multicast'],
    ['::ffff:10.0.0.1', 'IPv4-mapped private'],
    ['::ffff:7f00:1', 'IPv4-mapped loopback'],
    ['::ffff:169.254.169.254', 'IPv4-mapped link-local'],
    ['64:ff9b::a00:1', 'NAT64 private'],
    ['2002:c0a8:101::1', '6to4 private']
  ])('[EG1] %s is refused as %s', (address, kind) => {
    expect(refusedKind(parseIp(address)!)).toBe(kind);
  });

  it.each(['8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808'])(
    '[EG1] %s is public and allowed',
    (address) => {
      expect(refusedKind(parseIp(address)!)).toBeNull();
    }
  );

  it('[EG7] FIREBREAK_EGRESS_ALLOW is a comma-separated list; a bad entry stops the start with the reason', () => {
    expect(parseEgressAllow({ FIREBREAK_EGRESS_ALLOW: ' 10.0.0.5, jira.internal ,,fd00::/8' })).toEqual([
      '10.0.0.5',
      'jira.internal',
      'fd00::/8'
    ]);
    expect(parseEgressAllow({})).toEqual([]);
    expect(() => createSafeFetch({ allow: ['10.0.0.0/33'] })).toThrow(/not a host name, an IP address or a CIDR/);
    expect(() => createSafeFetch({ allow: ['http://x'] })).toThrow(/FIREBREAK_EGRESS_ALLOW/);
  });
});

describe('safe fetch over real sockets', () => {
  it('[EG1] refuses a loopback address by default, says which and how to allow it, and never connects', async () => {
    const s = await serve(ok);
    const err = await refusal(createSafeFetch()(s.url + '/x'));
    expect(err.retriable).toBe(false);
    expect(err.message).toContain('127.0.0.1 is a loopback address');
    expect(err.message).toContain('set FIREBREAK_EGRESS_ALLOW=127.0.0.1');
    expect(s.seen).toHaveLength(0);
  });

  it('[EG1] refuses IPv6 loopback and IPv4-mapped forms of private addresses', async () => {
    const v6 = await serve(ok, '::1');
    expect((await refusal(createSafeFetch()(v6.url))).message).toContain('FIREBREAK_EGRESS_ALLOW=::1');
    const mapped = await refusal(createSafeFetch()('http://[::ffff:10.0.0.5]:8080/'));
    expect(mapped.message).toContain('IPv4-mapped private');
    expect(mapped.message).toContain('FIREBREAK_EGRESS_ALLOW=10.0.0.5');
    expect((await refusal(createSafeFetch()('http://169.254.169.254/latest/meta-data/'))).message).toContain(
      'link-local'
    );
    expect(v6.seen).toHaveLength(0);
  });

  it('[EG2] an allowed IP, CIDR or host name reaches the server, with method, headers and body', async () => {
    const s = await serve(ok);
    for (const allow of [['127.0.0.1'], ['127.0.0.0/8'], ['10.0.0.0/8', '127.0.0.0/16']]) {
      const res = await createSafeFetch({ allow })(s.url + '/hook?a=1', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{"x":1}'
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-echo')).toBe('yes');
      expect(await res.json()).toEqual({ ok: true, body: '{"x":1}' });
    }
    expect(s.seen.map((r) => `${r.method} ${r.url}`)).toEqual(Array(3).fill('POST /hook?a=1'));
    const byName = await createSafeFetch({ allow: ['localhost'] })(`http://localhost:${s.port}/n`);
    expect(byName.status).toBe(200);
    // Listing a different private range does not open this one.
    await refusal(createSafeFetch({ allow: ['10.0.0.0/8'] })(s.url));
  });

  it('[EG2] IPv6 addresses and ranges can be allowed; a v4 entry allows its IPv4-mapped form', async () => {
    const v6 = await serve(ok, '::1');
    expect((await createSafeFetch({ allow: ['::1'] })(v6.url)).status).toBe(200);
    expect((await createSafeFetch({ allow: ['::/127'] })(v6.url)).status).toBe(200);
    await refusal(createSafeFetch({ allow: ['fe80::/10'] })(v6.url));
    const dual = await serve(ok, '::');
    const res = await createSafeFetch({ allow: ['127.0.0.1'] })(`http://[::ffff:127.0.0.1]:${dual.port}/m`);
    expect(res.status).toBe(200);
  });

  it('[EG3] a DNS name that resolves to a private address is refused at connect time (localhost)', async () => {
    const s = await serve(ok);
    const err = await refusal(createSafeFetch()(`http://localhost:${s.port}/`));
    expect(err.message).toMatch(/localhost resolves to 127\.0\.0\.1 \(loopback\)/);
    expect(err.message).toContain('FIREBREAK_EGRESS_ALLOW=127.0.0.1');
    expect(err.message).toContain('or the host name: localhost');
    expect(s.seen).toHaveLength(0);
  });

  it('[EG4] a server that does not answer in time gives a retriable timeout', async () => {
    const s = await serve(() => {
      /* never answers */
    });
    const fetch = createSafeFetch({ allow: ['127.0.0.1'] });
    const err = await fetch(s.url, { timeoutMs: 150 }).catch((e: unknown) => e);
    expect((err as Error).name).toBe('TimeoutError');
    const d = networkError(err, 'Jira: create issue');
    expect(d.retriable).toBe(true);
    expect(d.message).toBe('Jira: create issue: timed out');
  });

  it('[EG4] the timeout also covers a body that stops half way', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('{"partial":');
    });
    const err = await createSafeFetch({ allow: ['127.0.0.1'] })(s.url, { timeoutMs: 150 }).catch((e: unknown) => e);
    expect((err as Error).name).toBe('TimeoutError');
  });

  it('[EG4] a refused connection is a network error naming its cause, retriable', async () => {
    const s = await serve(ok);
    const url = s.url;
    await cleanups.pop()!();
    const err = await createSafeFetch({ allow: ['127.0.0.1'] })(url).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(DeliveryError);
    const d = networkError(err, 'Teams: post card');
    expect(d).toMatchObject({ retriable: true, message: 'Teams: post card: ECONNREFUSED' });
  });

  it('[EG5] a redirect to another host is never followed, even to an allowed one', async () => {
    const other = await serve(ok);
    const s = await serve((_req, res) => {
      res.writeHead(307, { location: `http://localhost:${other.port}/elsewhere` });
      res.end();
    });
    const err = await refusal(
      createSafeFetch({ allow: ['127.0.0.1', 'localhost'] })(s.url, { method: 'POST', body: '{}' })
    );
    expect(err.message).toContain(`redirected (307) to http://localhost:${other.port}`);
    expect(err.status).toBe(307);
    expect(other.seen).toHaveLength(0);
  });

  it('[EG5] same-origin redirects are followed: 307 keeps method and body, 303 becomes a GET', async () => {
    const s = await serve((req, res, body) => {
      if (req.url === '/old') {
        res.writeHead(307, { location: '/new' });
        return res.end();
      }
      if (req.url === '/form') {
        res.writeHead(303, { location: '/done' });
        return res.end();
      }
      ok(req, res, body);
    });
    const fetch = createSafeFetch({ allow: ['127.0.0.1'] });
    const res = await fetch(s.url + '/old', { method: 'POST', body: 'payload' });
    expect(await res.json()).toEqual({ ok: true, body: 'payload' });
    await fetch(s.url + '/form', { method: 'POST', body: 'payload' });
    expect(s.seen.map((r) => `${r.method} ${r.url} ${r.body}`)).toEqual([
      'POST /old payload',
      'POST /new payload',
      'POST /form payload',
      'GET /done '
    ]);
  });

  it('[EG5] a 302 to a POST is refused rather than silently turned into a GET; loops stop after the limit', async () => {
    const s = await serve((req, res) => {
      res.writeHead(req.url === '/moved' ? 302 : 308, { location: req.url === '/moved' ? '/new' : '/loop' });
      res.end();
    });
    const fetch = createSafeFetch({ allow: ['127.0.0.1'] });
    expect((await refusal(fetch(s.url + '/moved', { method: 'POST', body: '{}' }))).message).toContain(
      'would drop the body'
    );
    expect((await refusal(fetch(s.url + '/loop'))).message).toContain(`more than ${MAX_REDIRECTS} redirects`);
    expect(s.seen.filter((r) => r.url === '/loop')).toHaveLength(MAX_REDIRECTS + 1);
  });

  it('[EG6] only http and https URLs, without credentials in them', async () => {
    const fetch = createSafeFetch({ allow: ['127.0.0.1'] });
    expect((await refusal(fetch('file:///etc/passwd'))).message).toContain('only http and https');
    expect((await refusal(fetch('http://user:pw@127.0.0.1:1/'))).message).toContain('credentials');
    expect((await refusal(fetch('not a url'))).message).toContain('is not a URL');
  });

  it('returns a WHATWG Response; 204 has no body', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(204);
      res.end();
    });
    const res = await createSafeFetch({ allow: ['127.0.0.1'] })(s.url, { method: 'POST', body: '{}' });
    expect(res).toBeInstanceOf(Response);
    expect(res.status).toBe(204);
    expect(res.ok).toBe(true);
    expect(await res.text()).toBe('');
  });
});
