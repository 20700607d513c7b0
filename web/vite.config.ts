import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * `npm run build -w web` writes web/dist. The service serves it at `/`; a CDN serves it anywhere
 * with VITE_RHIZOME_API_URL pointing at the API (and RHIZOME_CORS_ORIGINS set on the service).
 * `npm run dev -w web` proxies the API to a local service on :8080.
 */
export default defineConfig({
  plugins: [react()],
  base: process.env.VITE_BASE ?? '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 2_000,
  },
  server: {
    proxy: {
      '/v1': process.env.RHIZOME_DEV_API ?? 'http://127.0.0.1:8080',
    },
  },
});
