/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The build is served by Flask from the same origin (backend/web.py); in development the
// Vite server proxies /api to the Flask server so that cookies and CSRF work unchanged.
export default defineConfig({
  plugins: [react()],
  server: {
    port: 5173,
    proxy: {
      // SPENDLENS_API_URL points the dev server elsewhere, e.g. at the mock API (mock/server.mjs).
      "/api": { target: process.env.SPENDLENS_API_URL ?? "http://127.0.0.1:8000", changeOrigin: false },
    },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 900,
  },
  test: {
    environment: "jsdom",
    globals: true,
    setupFiles: ["./src/test/setup.ts"],
    css: false,
    testTimeout: 20000,
  },
});
