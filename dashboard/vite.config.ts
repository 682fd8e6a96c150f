import { defineConfig } from 'vite';

// The dashboard is a static page: `vite build` writes dist/, `vite preview` serves it on
// loopback. @polkadot/api uses BigInt, so the target is a current browser.
export default defineConfig({
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 2048,
    rollupOptions: {
      // @polkadot/x-global carries a /*#__PURE__*/ annotation Rollup cannot place; harmless.
      onwarn (warning, warn) {
        if (warning.code === 'INVALID_ANNOTATION' && warning.id?.includes('@polkadot')) return;
        warn(warning);
      }
    }
  },
  preview: { host: '127.0.0.1', strictPort: true },
  server: { host: '127.0.0.1', fs: { allow: ['..'] } }
});
