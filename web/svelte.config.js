import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  kit: {
    // A single-page app: the sync server serves build/ and answers every unknown path with index.html;
    // every asset is also written as .br and .gz, which the server picks by Accept-Encoding.
    adapter: adapter({ pages: 'build', assets: 'build', fallback: 'index.html', strict: false, precompress: true }),
    alias: { $components: 'src/lib/components' }
  }
};

export default config;
