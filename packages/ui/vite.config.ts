import { defineConfig } from "vite";

// The gateway serves the built files under /ui; JSX compiles to Preact's runtime.
export default defineConfig({
  base: "/ui/",
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: { outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 200 },
});
