import { describe, expect, it } from 'vitest';
import { shellAssets } from './sw-protocol.ts';

describe('shellAssets', () => {
  it('lists the entry chunks and stylesheets a built shell starts with, once each', () => {
    const html = `<head>
      <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
      <link href="/_app/immutable/entry/start.A.js" rel="modulepreload">
      <link href="/_app/immutable/chunks/B.js" rel="modulepreload">
      <link href="https://cdn.example/x.js" rel="modulepreload">
      <link href="/_app/immutable/assets/0.C.css" rel="stylesheet">
      </head><body><script>
        Promise.all([import("/_app/immutable/entry/start.A.js"), import("/_app/immutable/entry/app.D.js")])
      </script></body>`;
    expect(shellAssets(html)).toEqual([
      '/favicon.svg',
      '/_app/immutable/entry/start.A.js',
      '/_app/immutable/chunks/B.js',
      '/_app/immutable/assets/0.C.css',
      '/_app/immutable/entry/app.D.js'
    ]);
  });
});
