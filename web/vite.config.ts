import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

// `vite dev` talks to a sync server on its default port; production serves the SPA from the same origin.
const SYNC_SERVER = 'http://127.0.0.1:8787';

export default defineConfig({
  plugins: [sveltekit()],
  server: {
    proxy: {
      '/api': { target: SYNC_SERVER, changeOrigin: true },
      '/sync': { target: SYNC_SERVER, ws: true, changeOrigin: true }
    }
  }
});
