import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The console is one static bundle: `vite build` writes dist/, which the local runtime serves at `/`
// and the Console stack uploads to S3 behind CloudFront. Settings of the stage (API URL, Cognito) come
// from VITE_* variables at build time (the stack passes them); locally the API is the page's origin.
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  // one React: the root's node_modules holds another (sst's), which a hoisted library (wouter) would reach
  resolve: { dedupe: ['react', 'react-dom'] },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, target: 'es2022', chunkSizeWarningLimit: 600 },
});
