import preact from '@preact/preset-vite';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

/**
 * The admin dashboard: built by `npm run build` (after `nest build`) into dist/dashboard, which
 * the service serves at /dashboard. `npm run dev:dashboard` serves it with hot reload and sends
 * /api to a service on port 3000.
 */
export default defineConfig({
  root: here,
  base: '/dashboard/',
  plugins: [preact()],
  build: {
    outDir: fileURLToPath(new URL('../dist/dashboard', import.meta.url)),
    emptyOutDir: true,
    // Every asset a file of its own: the page's CSP (default-src 'self') refuses data: URLs.
    assetsInlineLimit: 0,
    target: 'es2022',
  },
  server: { proxy: { '/api': 'http://localhost:3000' } },
});
