import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { precompress } from './precompress';

export default defineConfig({
  plugins: [react(), precompress()],
  server: {
    port: 5173,
    proxy: {
      '/api': 'http://localhost:8080',
      '/deces/api': 'http://localhost:8080',
      '/gw': 'http://localhost:8080',
      '/oauth': 'http://localhost:8080',
      '/.well-known': 'http://localhost:8080',
      '/catalog.': 'http://localhost:8080',
    },
  },
  // No source maps in the build: the sources are public on the forge, the maps need not be served.
  build: { outDir: 'dist', sourcemap: false, chunkSizeWarningLimit: 2000 },
});
