import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import type { Context, MiddlewareHandler } from 'hono';
import { getMimeType } from 'hono/utils/mime';

/** Codings we produce, best first: brotli is ~15-20% smaller than gzip on our JavaScript. */
export type Coding = 'br' | 'gzip';
const CODINGS: readonly Coding[] = ['br', 'gzip'];
const SUFFIX: Record<Coding, string> = { br: '.br', gzip: '.gz' };

/**
 * The coding to answer with for an `Accept-Encoding` header (RFC 9110 §12.5.3), or null for the
 * identity: q-values are honoured (`br;q=0` refuses brotli), `*` stands for any coding not named,
 * and at equal q brotli wins.
 */
export function negotiate(header: string | undefined, available: readonly Coding[] = CODINGS): Coding | null {
  if (!header) return null;
  const q = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const value = qParam ? Number(qParam.slice(2)) : 1;
    q.set(name === 'x-gzip' ? 'gzip' : name, Number.isFinite(value) ? value : 0);
  }
  let best: Coding | null = null;
  let bestQ = 0;
  for (const coding of CODINGS) {
    if (!available.includes(coding)) continue;
    const value = q.get(coding) ?? q.get('*') ?? 0;
    if (value > bestQ) [best, bestQ] = [coding, value];
  }
  return best;
}

function addVary(c: Context) {
  const current = c.res.headers.get('Vary');
  if (!current) c.header('Vary', 'Accept-Encoding');
  else if (!/(^|,)\s*(accept-encoding|\*)\s*(,|$)/i.test(current)) c.header('Vary', `${current}, Accept-Encoding`);
}

function statFile(file: string): fs.Stats | null {
  try {
    const s = fs.statSync(file);
    return s.isFile() ? s : null;
  } catch {
    return null;
  }
}

/**
 * Serves a built file that has precompressed siblings (`app.js.br`, `app.js.gz`, written at build
 * time) in the coding the browser accepts, with the original's Content-Type and `Vary:
 * Accept-Encoding` on every variant. Files without siblings fall through to the plain static handler.
 */
export function precompressedStatic(root: string): MiddlewareHandler {
  const base = path.resolve(root);
  return async function precompressed(c, next) {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return next();
    let rel: string;
    try {
      rel = decodeURIComponent(c.req.path);
    } catch {
      return next();
    }
    if (rel.includes('\0') || rel.includes('\\') || rel.split('/').some((s) => s === '..' || s === '.')) return next();
    const file = path.join(base, rel);
    if (!file.startsWith(base + path.sep)) return next();
    const original = statFile(file);
    if (!original) return next();
    const available = CODINGS.filter((coding) => statFile(file + SUFFIX[coding]));
    if (!available.length) return next();

    const coding = negotiate(c.req.header('Accept-Encoding'), available);
    const served = coding ? file + SUFFIX[coding] : file;
    const size = coding ? statFile(served)!.size : original.size;
    c.header('Content-Type', getMimeType(file) ?? 'application/octet-stream');
    c.header('Content-Length', String(size));
    c.header('Last-Modified', original.mtime.toUTCString());
    if (coding) c.header('Content-Encoding', coding);
    addVary(c);
    if (c.req.method === 'HEAD') return c.body(null, 200);
    return c.body(Readable.toWeb(fs.createReadStream(served)) as ReadableStream, 200);
  };
}

const COMPRESSIBLE = /^\s*(text\/|application\/(json|javascript|xml)|[^;\s]+\+(json|xml))/i;

/**
 * Compresses dynamic answers (API JSON, the HTML shell) above `threshold` bytes, streaming through
 * node:zlib: brotli at a fast quality (these are made per request) or gzip.
 */
export function compressResponses({ threshold = 1024 }: { threshold?: number } = {}): MiddlewareHandler {
  return async function compressed(c, next) {
    await next();
    const res = c.res;
    if (c.req.method === 'HEAD' || res.status === 204 || res.status === 206 || !res.body) return;
    if (res.headers.has('Content-Encoding') || !COMPRESSIBLE.test(res.headers.get('Content-Type') ?? '')) return;
    if (/(^|,)\s*no-transform\s*(,|$)/i.test(res.headers.get('Cache-Control') ?? '')) return;
    const length = res.headers.get('Content-Length');
    if (length !== null && Number(length) < threshold) return;
    addVary(c);
    const coding = negotiate(c.req.header('Accept-Encoding'));
    if (!coding) return;
    // Without a declared length, read the body to decide (API answers are built in memory).
    let body: ReadableStream<Uint8Array> | Uint8Array = res.body;
    if (length === null) {
      const bytes = new Uint8Array(await res.arrayBuffer());
      if (bytes.byteLength < threshold) {
        c.res = new Response(bytes, res);
        return;
      }
      body = bytes;
    }
    const zip =
      coding === 'br'
        ? zlib.createBrotliCompress({ params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5 } })
        : zlib.createGzip({ level: 6 });
    const source = body instanceof Uint8Array ? Readable.from([body]) : Readable.fromWeb(body as never);
    // Hono copies the old answer's headers onto a new one: adjust them after replacing it.
    c.res = new Response(Readable.toWeb(source.pipe(zip)) as ReadableStream, res);
    c.res.headers.delete('Content-Length');
    c.res.headers.set('Content-Encoding', coding);
    const etag = c.res.headers.get('ETag');
    if (etag && !etag.startsWith('W/')) c.res.headers.set('ETag', `W/${etag}`);
  };
}
