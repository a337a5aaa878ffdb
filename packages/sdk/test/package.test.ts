import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VERSION } from "../src/index.js";
import { buildSdk, SDK_DIR, typecheck } from "./helpers/build.js";
import { runNode } from "./helpers/node.js";

/**
 * The package as published: built with its own tsup command into a scratch copy
 * (<tmp>/node_modules/meshapi-node-sdk/{package.json,dist}), then loaded by name from child Node
 * processes through the `exports` map, with `import` and with `require`.
 */

interface PackageJson {
  name: string;
  version: string;
  type: string;
  sideEffects: boolean;
  dependencies?: Record<string, string>;
  exports: Record<string, unknown>;
}

const pkg = JSON.parse(readFileSync(join(SDK_DIR, "package.json"), "utf8")) as PackageJson;
let root: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "meshapi-sdk-pkg-"));
  const installed = join(root, "node_modules", "meshapi-node-sdk");
  await buildSdk(join(installed, "dist"));
  cpSync(join(SDK_DIR, "package.json"), join(installed, "package.json"));
}, 60_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

async function runScript(name: string, source: string) {
  const file = join(root, name);
  writeFileSync(file, source);
  const result = await runNode([file], { cwd: root, env: { MESHAPI_BASE_URL: "", MESHAPI_TOKEN: "" } });
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

const probe = `
  const client = new sdk.MeshAPI({ baseUrl: "http://127.0.0.1:1/", token: "rsk_x" });
  const error = new sdk.MeshAPIApiError({ status: 400, errorCode: "invalid_request", message: "m" });
  console.log(JSON.stringify({
    exports: Object.keys(sdk).sort(),
    baseUrl: client.baseUrl,
    hasCreate: typeof client.chat.completions.create,
    hasList: typeof client.models.list,
    errorName: error.name,
    version: sdk.VERSION,
  }));
`;

describe("published package", () => {
  it("has no runtime dependencies, no side effects, and both export conditions", () => {
    expect(pkg.name).toBe("meshapi-node-sdk");
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(pkg.sideEffects).toBe(false);
    expect(pkg.exports["."]).toMatchObject({
      import: { types: "./dist/index.d.ts", default: "./dist/index.js" },
      require: { types: "./dist/index.d.cts", default: "./dist/index.cjs" },
    });
    expect(pkg.version).toBe(VERSION);
  });

  it("loads with import (ESM)", async () => {
    const out = await runScript("esm.mjs", `import * as sdk from "meshapi-node-sdk";\n${probe}`);
    expect(out).toMatchObject({
      baseUrl: "http://127.0.0.1:1",
      hasCreate: "function",
      hasList: "function",
      errorName: "MeshAPIApiError",
      version: VERSION,
    });
    expect(out.exports).toEqual(
      expect.arrayContaining(["MeshAPI", "MeshAPIApiError", "MeshAPIAbortError", "Stream"]),
    );
  });

  it("loads with require (CommonJS) and exposes the same API", async () => {
    const esm = await runScript("esm2.mjs", `import * as sdk from "meshapi-node-sdk";\n${probe}`);
    const cjs = await runScript("cjs.cjs", `const sdk = require("meshapi-node-sdk");\n${probe}`);
    expect(cjs).toEqual(esm);
  });

  it("instanceof works across the ESM and CommonJS copies loaded together", async () => {
    const out = await runScript(
      "both.mjs",
      `import { createRequire } from "node:module";
       import * as esm from "meshapi-node-sdk";
       const cjs = createRequire(import.meta.url)("meshapi-node-sdk");
       const fromCjs = new cjs.MeshAPIAbortError();
       const fromEsm = new esm.MeshAPIApiError({ status: 500, errorCode: "internal_error", message: "x" });
       console.log(JSON.stringify({
         distinctClasses: esm.MeshAPIApiError !== cjs.MeshAPIApiError,
         cjsInEsm: fromCjs instanceof esm.MeshAPIApiError,
         cjsAbortInEsm: fromCjs instanceof esm.MeshAPIAbortError,
         esmInCjs: fromEsm instanceof cjs.MeshAPIApiError,
         esmNotAbort: fromEsm instanceof cjs.MeshAPIAbortError,
       }));`,
    );
    expect(out).toEqual({
      distinctClasses: true,
      cjsInEsm: true,
      cjsAbortInEsm: true,
      esmInCjs: true,
      esmNotAbort: false,
    });
  });

  it("ships declarations for both formats", () => {
    const dts = readFileSync(join(root, "node_modules", "meshapi-node-sdk", "dist", "index.d.ts"), "utf8");
    const dcts = readFileSync(join(root, "node_modules", "meshapi-node-sdk", "dist", "index.d.cts"), "utf8");
    for (const text of [dts, dcts]) {
      expect(text).toContain("declare class MeshAPI");
      expect(text).toContain("ChatCompletionChunk");
    }
  });

  it("runtime code type-checks with only the web platform's globals (no Node.js types)", async () => {
    // packages/sdk/tsconfig.json: lib ES2022 + DOM, types []: `process`, `Buffer`, `node:*` fail.
    const result = await typecheck(join(SDK_DIR, "tsconfig.json"));
    expect(result.output).toBe("");
    expect(result.ok).toBe(true);
  });
});
