import { afterEach, describe, expect, it } from "vitest";
import { MeshAPI } from "../src/index.js";

const saved = { base: process.env.MESHAPI_BASE_URL, token: process.env.MESHAPI_TOKEN };

afterEach(() => {
  restore("MESHAPI_BASE_URL", saved.base);
  restore("MESHAPI_TOKEN", saved.token);
});

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

describe("client configuration", () => {
  it("tolerates trailing slashes and keeps a path prefix", () => {
    expect(new MeshAPI({ baseUrl: "http://127.0.0.1:9/", token: "rsk_x" }).baseUrl).toBe(
      "http://127.0.0.1:9",
    );
    expect(new MeshAPI({ baseUrl: "https://gw.example.com/mesh//", token: "rsk_x" }).baseUrl).toBe(
      "https://gw.example.com/mesh",
    );
  });

  it("reads MESHAPI_BASE_URL and MESHAPI_TOKEN when options omit them", () => {
    process.env.MESHAPI_BASE_URL = "http://127.0.0.1:4000/";
    process.env.MESHAPI_TOKEN = "rsk_env";
    const client = new MeshAPI();
    expect(client.baseUrl).toBe("http://127.0.0.1:4000");
  });

  it("fails at construction with a clear message when baseUrl or token is missing", () => {
    delete process.env.MESHAPI_BASE_URL;
    delete process.env.MESHAPI_TOKEN;
    expect(() => new MeshAPI({ token: "rsk_x" })).toThrow(/no baseUrl.*MESHAPI_BASE_URL/);
    expect(() => new MeshAPI({ baseUrl: "http://127.0.0.1:1" })).toThrow(/no token.*MESHAPI_TOKEN/);
  });

  it("rejects invalid base URLs and numeric options", () => {
    expect(() => new MeshAPI({ baseUrl: "api.example.com", token: "t" })).toThrow(/not an absolute URL/);
    expect(() => new MeshAPI({ baseUrl: "ftp://x", token: "t" })).toThrow(/http\(s\)/);
    expect(() => new MeshAPI({ baseUrl: "http://x?a=1", token: "t" })).toThrow(/query/);
    expect(() => new MeshAPI({ baseUrl: "http://x", token: "t", timeoutMs: -1 })).toThrow(/timeoutMs/);
    expect(() => new MeshAPI({ baseUrl: "http://x", token: "t", maxRetries: 1.5 })).toThrow(/maxRetries/);
  });

  it("applies defaults", () => {
    const client = new MeshAPI({ baseUrl: "http://x", token: "t" });
    expect(client.timeoutMs).toBe(60_000);
    expect(client.maxRetries).toBe(2);
  });
});
