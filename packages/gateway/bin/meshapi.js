#!/usr/bin/env node
// The `meshapi` bin. It is a committed file rather than the build output itself because npm links a
// package's bins at install time only when their files exist: on a fresh clone `npm install` runs
// before the first build, and a bin pointing into dist/ would be silently left unlinked.
import("../dist/cli/main.js").catch((err) => {
  if (err?.code === "ERR_MODULE_NOT_FOUND" && String(err.message).includes("main.js")) {
    process.stderr.write("meshapi: the gateway is not built yet; run `npm run build` first\n");
    process.exit(1);
  }
  throw err;
});
