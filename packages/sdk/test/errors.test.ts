import { describe, expect, it } from "vitest";
import { errorFromResponse, errorFromStreamFrame } from "../src/core/error-envelope.js";
import { connectionError, MeshAPIAbortError, MeshAPIApiError } from "../src/core/errors.js";

describe("MeshAPIApiError from the gateway envelope", () => {
  it("carries every envelope field", () => {
    const body = {
      error: {
        code: "validation_error",
        message: "messages is required",
        type: "invalid_request_error",
        param: "messages",
        details: [{ type: "missing", loc: ["body", "messages"], msg: "Field required" }],
      },
      request_id: "req_01BODY",
    };
    const error = errorFromResponse(
      422,
      new Headers({ "x-request-id": "req_01HEADER" }),
      JSON.stringify(body),
    );
    expect(error).toBeInstanceOf(MeshAPIApiError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("MeshAPIApiError");
    expect(error.status).toBe(422);
    expect(error.errorCode).toBe("validation_error");
    expect(error.message).toBe("messages is required");
    expect(error.type).toBe("invalid_request_error");
    expect(error.param).toBe("messages");
    expect(error.requestId).toBe("req_01BODY");
    expect(error.details).toEqual([{ type: "missing", loc: ["body", "messages"], msg: "Field required" }]);
    expect(error.retryAfterSeconds).toBeUndefined();
  });

  it("takes provider_error and retry_after_seconds, and falls back to headers", () => {
    const body = {
      error: { code: "upstream_error", message: "boom", type: "upstream", provider_error: { x: 1 } },
    };
    const error = errorFromResponse(
      429,
      new Headers({ "x-request-id": "req_01HEADER", "retry-after": "7" }),
      JSON.stringify(body),
    );
    expect(error.requestId).toBe("req_01HEADER");
    expect(error.providerError).toEqual({ x: 1 });
    expect(error.retryAfterSeconds).toBe(7);
    expect(error.details).toEqual([]);
    const withBody = errorFromResponse(
      429,
      new Headers({ "retry-after": "7" }),
      JSON.stringify({ error: { code: "rate_limit_exceeded", message: "slow", retry_after_seconds: 3 } }),
    );
    expect(withBody.retryAfterSeconds).toBe(3);
  });

  it("reports a non-JSON body as parse_error with its beginning", () => {
    const html = `<html><body>502 Bad Gateway</body></html>${"x".repeat(1000)}`;
    const error = errorFromResponse(502, new Headers({ "x-request-id": "req_01PROXY" }), html);
    expect(error.errorCode).toBe("parse_error");
    expect(error.status).toBe(502);
    expect(error.requestId).toBe("req_01PROXY");
    expect(error.message).toContain("<html><body>502 Bad Gateway");
    expect(error.message.length).toBeLessThan(400);
  });

  it("derives a code from the status when the body has none (e.g. an OpenAI-shaped error)", () => {
    const error = errorFromResponse(
      401,
      new Headers(),
      JSON.stringify({ error: { message: "bad key", type: "invalid_request_error", code: null } }),
    );
    expect(error.errorCode).toBe("unauthorized");
    expect(error.message).toBe("bad key");
    expect(errorFromResponse(418, new Headers(), "{}").errorCode).toBe("http_error");
  });

  it("builds stream-frame errors with status 0", () => {
    const error = errorFromStreamFrame(
      { error: { code: "upstream_error", message: "cut", type: "upstream" }, request_id: "req_01FRAME" },
      "req_01HEADER",
    );
    expect(error.status).toBe(0);
    expect(error.errorCode).toBe("upstream_error");
    expect(error.requestId).toBe("req_01FRAME");
  });
});

describe("error classes", () => {
  it("abort errors are named AbortError and are MeshAPIApiErrors", () => {
    const reason = new Error("user left");
    const error = new MeshAPIAbortError("stopped", reason);
    expect(error.name).toBe("AbortError");
    expect(error.errorCode).toBe("aborted");
    expect(error.cause).toBe(reason);
    expect(error).toBeInstanceOf(MeshAPIApiError);
    expect(error).toBeInstanceOf(MeshAPIAbortError);
    expect(new MeshAPIApiError({ status: 0, errorCode: "x", message: "m" })).not.toBeInstanceOf(
      MeshAPIAbortError,
    );
  });

  it("instanceof recognises errors branded by another copy of the package", () => {
    // What another loaded copy produces: a different class, the same registry symbol.
    const foreign = Object.assign(new Error("other copy"), {
      [Symbol.for("meshapi-node-sdk.error.brands")]: ["MeshAPIApiError"],
    });
    expect(foreign instanceof MeshAPIApiError).toBe(true);
    expect(foreign instanceof MeshAPIAbortError).toBe(false);
    expect(new Error("plain") instanceof MeshAPIApiError).toBe(false);
    expect((null as unknown) instanceof MeshAPIApiError).toBe(false);
    expect(("string" as unknown) instanceof MeshAPIApiError).toBe(false);
  });

  it("connection errors explain the underlying cause", () => {
    const cause = new TypeError("fetch failed", { cause: new Error("connect ECONNREFUSED 127.0.0.1:1") });
    const error = connectionError(cause);
    expect(error.errorCode).toBe("connection_error");
    expect(error.status).toBe(0);
    expect(error.message).toContain("ECONNREFUSED");
    expect(error.cause).toBe(cause);
  });

  it("serialises its fields for logs", () => {
    const error = new MeshAPIApiError({
      status: 404,
      errorCode: "model_not_found",
      message: "no",
      requestId: "req_1",
    });
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({
      name: "MeshAPIApiError",
      status: 404,
      errorCode: "model_not_found",
      message: "no",
      requestId: "req_1",
      details: [],
    });
  });
});
