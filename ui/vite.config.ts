import { defineConfig } from "vite";

// The UI is served from the app bundle (no dev server in tests): fixed port for `vite dev`, and the Rust side
// is never watched.
export default defineConfig({
  clearScreen: false,
  server: { port: 1420, strictPort: true, watch: { ignored: ["**/src-tauri/**", "**/target/**"] } },
  build: { target: "es2022", outDir: "dist", emptyOutDir: true, sourcemap: false },
  test: { include: ["src/**/*.test.ts"], environment: "node" },
});
