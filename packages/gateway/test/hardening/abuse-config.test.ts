import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config/config.js";
import { SERVER_LIMIT_DEFAULTS } from "../../src/http/server-limits.js";
import { AUTH_FAILURE_DEFAULTS } from "../../src/security/auth-failures.js";

const load = (env: Record<string, string>) => loadConfig({ env });

describe("abuse knobs", () => {
  it("have defaults", () => {
    const config = load({});
    expect(config.server).toEqual(SERVER_LIMIT_DEFAULTS);
    expect(config.authFailures).toEqual(AUTH_FAILURE_DEFAULTS);
    expect(config.providers.get("google")?.remoteImageAllow).toEqual([]);
  });

  it("read the environment", () => {
    const config = load({
      MESHAPI_HEADERS_TIMEOUT_MS: "5000",
      MESHAPI_REQUEST_TIMEOUT_MS: "0",
      MESHAPI_MAX_CONNECTIONS: "10000",
      MESHAPI_AUTH_FAILURE_LIMIT: "0",
      MESHAPI_REMOTE_IMAGES_ALLOW: "10.1.0.0/16, fd00::1",
    });
    expect(config.server).toMatchObject({
      headersTimeoutMs: 5000,
      requestTimeoutMs: 0,
      maxConnections: 10000,
    });
    expect(config.authFailures.limit).toBe(0);
    expect(config.providers.get("google")?.remoteImageAllow).toEqual(["10.1.0.0/16", "fd00::1"]);
  });

  it.each<Record<string, string>>([
    { MESHAPI_HEADERS_TIMEOUT_MS: "0" },
    { MESHAPI_MAX_HEADER_BYTES: "-1" },
    { MESHAPI_HEADERS_TIMEOUT_MS: "60000", MESHAPI_REQUEST_TIMEOUT_MS: "1000" },
    { MESHAPI_AUTH_FAILURE_WINDOW_MS: "0" },
    { MESHAPI_AUTH_FAILURE_LIMIT: "many" },
    { MESHAPI_REMOTE_IMAGES_ALLOW: "intranet.example" },
    { MESHAPI_REMOTE_IMAGES_ALLOW: "10.0.0.0/99" },
  ])("refuse %o", (env) => {
    expect(() => load(env)).toThrow(ConfigError);
  });
});
