import { describe, expect, it } from "vitest";
import { parseDirectives } from "../src/directives.js";

describe("parseDirectives", () => {
  it("returns the text untouched when there is no directive", () => {
    const parsed = parseDirectives("  hello there ");
    expect(parsed).toMatchObject({ ok: true, text: "  hello there " });
  });

  it("parses every directive and strips the block", () => {
    const parsed = parseDirectives(
      "Hi [[sim:status=503,retry_after=7,delay_ms=10,chunk_delay_ms=5,cut_after=3,malformed_after=4]] there " +
        "[[sim:hang,hang_after=2,words=9,no_usage,parallel=3,usage_on_finish,stream_error=1]]",
    );
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.text).toBe("Hi there");
    expect(parsed.directives).toEqual({
      status: 503,
      retryAfter: 7,
      delayMs: 10,
      chunkDelayMs: 5,
      cutAfter: 3,
      malformedAfter: 4,
      hang: true,
      reset: false,
      hangAfter: 2,
      words: 9,
      noUsage: true,
      parallel: 3,
      usageOnFinish: true,
      streamError: 1,
      errorBody: false,
    });
  });

  it("parses the wire-fault directives", () => {
    const parsed = parseDirectives(
      "[[sim:end_after=2,oversized=1000,html_error=502,content_type=text/html; charset=utf-8,error_body,drip_bps=3,drip_after=1]] x",
    );
    expect(parsed.ok && parsed.directives).toMatchObject({
      endAfter: 2,
      oversized: 1000,
      htmlError: 502,
      contentType: "text/html; charset=utf-8",
      errorBody: true,
      dripBps: 3,
      dripAfter: 1,
    });
    expect(parseDirectives("[[sim:content_type=plain]]")).toMatchObject({ ok: false });
    expect(parseDirectives("[[sim:content_type]]")).toMatchObject({ ok: false });
    expect(parseDirectives("[[sim:drip_bps=0]]")).toMatchObject({ ok: false });
    expect(parseDirectives("[[sim:html_error=7]]")).toMatchObject({ ok: false });
  });

  it("treats a bare stream_error as 'after the first content event'", () => {
    const parsed = parseDirectives("[[sim:stream_error]]go");
    expect(parsed.ok && parsed.directives.streamError).toBe(-1);
    expect(parsed.ok && parsed.text).toBe("go");
  });

  it("makes retry_after alone imply a 429", () => {
    const parsed = parseDirectives("[[sim:retry_after=3]]");
    expect(parsed.ok && parsed.directives).toMatchObject({ status: 429, retryAfter: 3 });
  });

  it("rejects unknown keys and bad values so typos surface", () => {
    expect(parseDirectives("[[sim:stauts=500]]")).toMatchObject({ ok: false });
    expect(parseDirectives("[[sim:words=abc]]")).toMatchObject({ ok: false });
    expect(parseDirectives("[[sim:hang=1]]")).toMatchObject({ ok: false });
    expect(parseDirectives("[[sim:status=42]]")).toMatchObject({ ok: false });
    const unknown = parseDirectives("[[sim:nope]]");
    expect(!unknown.ok && unknown.message).toContain('unknown simulator directive "nope"');
  });
});
