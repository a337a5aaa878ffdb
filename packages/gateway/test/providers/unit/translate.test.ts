import { describe, expect, it } from "vitest";
import { ChunkFactory } from "../../../src/providers/translate/chunks.js";
import { plainText, readContent } from "../../../src/providers/translate/content.js";
import { parseDataUrl } from "../../../src/providers/translate/data-url.js";
import { parseToolArguments } from "../../../src/providers/translate/tool-arguments.js";
import { pushTurn, resultsFirst, type Turn } from "../../../src/providers/translate/turns.js";
import { thrown } from "./thrown.js";

describe("parseDataUrl", () => {
  it("splits a base64 data URL into MIME type and data", () => {
    expect(parseDataUrl("data:image/PNG;base64,iVBO\nRw==")).toEqual({
      mimeType: "image/png",
      data: "iVBORw==",
    });
  });

  it("keeps parameters out of the MIME type", () => {
    expect(parseDataUrl("data:text/plain;charset=utf-8;base64,aGk=")).toEqual({
      mimeType: "text/plain",
      data: "aGk=",
    });
  });

  it("re-encodes percent-encoded payloads as base64", () => {
    expect(parseDataUrl("data:text/plain,hi%20there")).toEqual({
      mimeType: "text/plain",
      data: Buffer.from("hi there").toString("base64"),
    });
  });

  it("is undefined for other URLs and broken data URLs", () => {
    expect(parseDataUrl("https://example.com/a.png")).toBeUndefined();
    expect(parseDataUrl("data:image/png;base64")).toBeUndefined();
    expect(parseDataUrl("data:text/plain,%E0%A4%A")).toBeUndefined();
  });
});

describe("readContent", () => {
  it("reads strings and every part type with its location", () => {
    const parts = readContent(
      "X",
      [
        { type: "text", text: "a", cache_control: { type: "ephemeral" } },
        { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } },
        { type: "input_audio", input_audio: { data: "BBBB", format: "mp3" } },
        { type: "file", file: { file_data: "data:application/pdf;base64,CCCC", filename: "a.pdf" } },
        { type: "refusal", refusal: "no" },
      ],
      ["messages", 3, "content"],
    );
    expect(parts).toEqual([
      { kind: "text", text: "a", cacheControl: { type: "ephemeral" }, loc: ["messages", 3, "content", 0] },
      {
        kind: "image",
        url: "data:image/png;base64,AAAA",
        inline: { mimeType: "image/png", data: "AAAA" },
        loc: ["messages", 3, "content", 1],
      },
      { kind: "audio", format: "mp3", data: "BBBB", loc: ["messages", 3, "content", 2] },
      {
        kind: "file",
        inline: { mimeType: "application/pdf", data: "CCCC" },
        fileId: undefined,
        filename: "a.pdf",
        loc: ["messages", 3, "content", 3],
      },
      { kind: "text", text: "no", loc: ["messages", 3, "content", 4] },
    ]);
    expect(readContent("X", "hello", ["messages", 0, "content"])).toEqual([
      { kind: "text", text: "hello", loc: ["messages", 0, "content"] },
    ]);
  });

  it("refuses an invalid data URL with a 422 pointing at it", () => {
    const err = thrown(() =>
      readContent(
        "Gemini",
        [{ type: "image_url", image_url: { url: "data:nope" } }],
        ["messages", 1, "content"],
      ),
    );
    expect(err.status).toBe(422);
    expect(err.details).toEqual([
      {
        type: "invalid_data_url",
        loc: ["body", "messages", 1, "content", 0, "image_url", "url"],
        msg: "not a valid data URL",
      },
    ]);
    expect(err.message).toContain("Gemini cannot take messages.1.content.0.image_url.url");
  });

  it("plainText joins text parts", () => {
    expect(
      plainText([
        { type: "text", text: "a" },
        { type: "text", text: "b" },
      ]),
    ).toBe("a\nb");
    expect(plainText("c")).toBe("c");
    expect(plainText(null)).toBe("");
  });
});

describe("parseToolArguments (reference §4.4 item 4)", () => {
  const loc = ["messages", 1, "tool_calls", 0, "function", "arguments"];

  it("parses a JSON object; an empty string means no arguments", () => {
    expect(parseToolArguments('{"city":"Paris"}', "X", loc)).toEqual({ city: "Paris" });
    expect(parseToolArguments("  ", "X", loc)).toEqual({});
  });

  it.each([["{city:"], ["[1,2]"], ['"Paris"'], ["null"]])("refuses %s with a 422", (args) => {
    const err = thrown(() => parseToolArguments(args, "Anthropic", loc));
    expect(err.code).toBe("validation_error");
    expect(err.details?.[0]?.loc).toEqual(["body", ...loc]);
    expect(err.details?.[0]?.type).toBe("invalid_tool_arguments");
  });
});

describe("turns (reference §4.4 item 2)", () => {
  it("merges consecutive same-role turns and skips empty ones", () => {
    const turns: Turn<"user" | "model", string>[] = [];
    pushTurn(turns, "user", ["a"]);
    pushTurn(turns, "model", []);
    pushTurn(turns, "user", ["b", "c"]);
    pushTurn(turns, "model", ["d"]);
    expect(turns).toEqual([
      { role: "user", parts: ["a", "b", "c"] },
      { role: "model", parts: ["d"] },
    ]);
  });

  it("puts results first and keeps the rest in order", () => {
    expect(resultsFirst(["t1", "R1", "t2", "R2"], (p) => p.startsWith("R"))).toEqual([
      "R1",
      "R2",
      "t1",
      "t2",
    ]);
  });
});

describe("ChunkFactory", () => {
  it("gives every chunk the same id, created and model", () => {
    const out = new ChunkFactory("m", "id-1");
    const a = out.chunk({ role: "assistant", content: "" });
    const b = out.chunk({}, "stop");
    const u = out.usage({ prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 });
    expect([a.id, b.id, u.id]).toEqual(["id-1", "id-1", "id-1"]);
    expect(new Set([a.created, b.created, u.created]).size).toBe(1);
    expect(b.choices).toEqual([{ index: 0, delta: {}, logprobs: null, finish_reason: "stop" }]);
    expect(u.choices).toEqual([]);
    expect(new ChunkFactory("m").id).toMatch(/^chatcmpl-[0-9a-f]{24}$/);
  });
});
