import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ERROR_CATALOG } from "../src/errors/catalog.js";

const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");

describe("documentation", () => {
  it("the README's error table lists every code of the catalog", () => {
    for (const code of Object.keys(ERROR_CATALOG)) expect(readme, code).toContain(`\`${code}\``);
  });

  it("the README opens with the two set-up commands", () => {
    const top = readme.split("\n").slice(0, 20).join("\n");
    expect(top).toContain("npm install && npm start");
    expect(top).toContain("npm install && npm test");
  });
});
