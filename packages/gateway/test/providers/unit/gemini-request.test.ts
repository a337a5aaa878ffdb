import { describe, expect, it } from "vitest";
import type { ChatRequest } from "../../../src/pipeline/chat-request.js";
import {
  type GeminiModelTraits,
  geminiModelTraits,
  SKIP_SIGNATURE,
} from "../../../src/providers/gemini/messages.js";
import { RemoteImageFetcher } from "../../../src/providers/gemini/remote-image.js";
import { buildGeminiBody } from "../../../src/providers/gemini/request.js";
import { encodeCallId } from "../../../src/providers/gemini/tool-call-id.js";
import { rejected } from "./thrown.js";

type Messages = ChatRequest["messages"];
type Body = Record<string, unknown> & { contents: { role: string; parts: Record<string, unknown>[] }[] };

const FLASH = geminiModelTraits("gemini-2.5-flash");
const PRO3 = geminiModelTraits("gemini-3-pro-preview");
const ctx = {
  fetcher: new RemoteImageFetcher(),
  policy: "off" as const,
  signal: new AbortController().signal,
  baseUrl: "https://generativelanguage.googleapis.com",
};
const body = async (
  request: Partial<ChatRequest> & { messages: Messages },
  traits: GeminiModelTraits = FLASH,
) => (await buildGeminiBody(request as ChatRequest, traits, ctx)) as Body;
const hi: Messages = [{ role: "user", content: "hi" }];

describe("geminiModelTraits", () => {
  it("knows which models need signatures and which take a systemInstruction", () => {
    expect(geminiModelTraits("gemini-3-flash-preview")).toEqual({
      requiresSignatures: true,
      systemInstruction: true,
    });
    expect(geminiModelTraits("gemini-2.5-pro")).toEqual({
      requiresSignatures: false,
      systemInstruction: true,
    });
    expect(geminiModelTraits("gemma-3-27b-it")).toEqual({
      requiresSignatures: false,
      systemInstruction: false,
    });
  });
});

describe("buildGeminiBody: messages (reference §4.4 items 2, 3, 5, 6, 17)", () => {
  it("prepends system text to the first user turn for models without systemInstruction", async () => {
    const out = await body(
      { messages: [{ role: "system", content: "Be brief." }, ...hi] },
      geminiModelTraits("gemma-3-27b-it"),
    );
    expect(out.systemInstruction).toBeUndefined();
    expect(out.contents).toEqual([{ role: "user", parts: [{ text: "Be brief." }, { text: "hi" }] }]);
  });

  it("puts functionResponses first when tool results and user text merge", async () => {
    const out = await body({
      messages: [
        ...hi,
        {
          role: "assistant",
          content: "",
          tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: "{}" } }],
        },
        { role: "user", content: "quick" },
        { role: "tool", tool_call_id: "c1", content: [{ type: "text", text: "done" }] },
      ],
    });
    expect(out.contents).toEqual([
      { role: "user", parts: [{ text: "hi" }] },
      { role: "model", parts: [{ functionCall: { name: "f", args: {} } }] },
      {
        role: "user",
        parts: [{ functionResponse: { name: "f", response: { output: "done" } } }, { text: "quick" }],
      },
    ]);
  });

  it("echoes Gemini's own call ids and restores thought signatures from the OpenAI id", async () => {
    const id = encodeCallId({ geminiId: "g-7", signature: "c2lnbmF0dXJl" });
    const plain = encodeCallId({});
    const out = await body(
      {
        messages: [
          ...hi,
          {
            role: "assistant",
            content: null,
            tool_calls: [
              { id, type: "function", function: { name: "f", arguments: '{"a":1}' } },
              { id: plain, type: "function", function: { name: "g", arguments: "{}" } },
            ],
          },
          { role: "tool", tool_call_id: id, content: "1" },
          { role: "tool", tool_call_id: plain, content: "2" },
        ],
      },
      PRO3,
    );
    expect(out.contents[1]?.parts).toEqual([
      { functionCall: { name: "f", args: { a: 1 }, id: "g-7" }, thoughtSignature: "c2lnbmF0dXJl" },
      { functionCall: { name: "g", args: {} } },
    ]);
    expect(out.contents[2]?.parts).toEqual([
      { functionResponse: { name: "f", response: { output: "1" }, id: "g-7" } },
      { functionResponse: { name: "g", response: { output: "2" } } },
    ]);
  });

  it("signs the first call of each model turn with the skip value only for Gemini 3", async () => {
    const messages: Messages = [
      ...hi,
      {
        role: "assistant",
        content: null,
        tool_calls: [{ id: "call_x", type: "function", function: { name: "f", arguments: "{}" } }],
      },
      { role: "tool", tool_call_id: "call_x", content: "r" },
    ];
    expect((await body({ messages }, PRO3)).contents[1]?.parts[0]?.thoughtSignature).toBe(SKIP_SIGNATURE);
    expect((await body({ messages }, FLASH)).contents[1]?.parts[0]?.thoughtSignature).toBeUndefined();
  });

  it("maps audio and files inline, Files API URIs by reference, and refuses what it cannot send", async () => {
    const user = (content: unknown): Messages => [{ role: "user", content } as Messages[number]];
    const fileUri = "https://generativelanguage.googleapis.com/v1beta/files/abc";
    const out = await body({
      messages: user([
        { type: "input_audio", input_audio: { data: "UklG", format: "wav" } },
        { type: "file", file: { file_data: "data:application/pdf;base64,JVBE" } },
        { type: "image_url", image_url: { url: fileUri } },
      ]),
    });
    expect(out.contents[0]?.parts).toEqual([
      { inlineData: { mimeType: "audio/wav", data: "UklG" } },
      { inlineData: { mimeType: "application/pdf", data: "JVBE" } },
      { fileData: { fileUri } },
    ]);
    const fileId = await rejected(body({ messages: user([{ type: "file", file: { file_id: "file-1" } }]) }));
    expect(fileId.param).toBe("messages.0.content.0.file");
    const remote = await rejected(
      body({ messages: user([{ type: "image_url", image_url: { url: "https://example.com/a.png" } }]) }),
    );
    expect(remote.message).toContain("MESHAPI_REMOTE_IMAGES=off");
    expect(remote.param).toBe("messages.0.content.0.image_url.url");
  });

  it("refuses deprecated function messages", async () => {
    expect((await rejected(body({ messages: [{ role: "function", name: "f", content: "x" }] }))).param).toBe(
      "messages.0",
    );
  });
});

describe("buildGeminiBody: tools and parameters", () => {
  const fn = (name: string) => ({
    type: "function" as const,
    function: { name, parameters: { type: "object", properties: { q: { type: "string" } } } },
  });
  const tools = [fn("a"), fn("b")];

  it.each([
    [undefined, undefined],
    ["auto", undefined],
    ["none", { functionCallingConfig: { mode: "NONE" } }],
    ["required", { functionCallingConfig: { mode: "ANY" } }],
    [
      { type: "function", function: { name: "b" } },
      { functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["b"] } },
    ],
    [
      {
        type: "allowed_tools",
        allowed_tools: { mode: "required", tools: [{ type: "function", function: { name: "a" } }] },
      },
      { functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["a"] } },
    ],
  ])("tool_choice %j → toolConfig %j", async (choice, expected) => {
    const out = await body({
      messages: hi,
      tools,
      ...(choice === undefined ? {} : { tool_choice: choice }),
    } as never);
    expect(out.toolConfig).toEqual(expected);
    expect((out.tools as { functionDeclarations: unknown[] }[])[0]?.functionDeclarations).toHaveLength(2);
  });

  it("allowed_tools with auto filters the declarations (Gemini names functions only with ANY)", async () => {
    const out = await body({
      messages: hi,
      tools,
      tool_choice: {
        type: "allowed_tools",
        allowed_tools: { mode: "auto", tools: [{ type: "function", function: { name: "b" } }] },
      },
    } as never);
    expect(out.tools).toEqual([
      {
        functionDeclarations: [
          { name: "b", parameters: { type: "OBJECT", properties: { q: { type: "STRING" } } } },
        ],
      },
    ]);
    expect(out.toolConfig).toBeUndefined();
  });

  it("sends no tools without tools, and no generationConfig without parameters", async () => {
    const out = await body({ messages: hi, tool_choice: "required" });
    expect(Object.keys(out)).toEqual(["contents"]);
  });

  it.each([
    [{ n: 2 }, "n"],
    [{ logprobs: true }, "logprobs"],
    [{ tools: [{ type: "custom", custom: { name: "x" } }] }, "tools.0"],
  ])("refuses %j with a 422 on %s", async (extra, param) => {
    expect((await rejected(body({ messages: hi, ...(extra as object) }))).param).toBe(param);
  });

  it("maps frequency_penalty and a stop string", async () => {
    const out = await body({ messages: hi, frequency_penalty: -1, stop: "x", max_tokens: 7 });
    expect(out.generationConfig).toEqual({ frequencyPenalty: -1, stopSequences: ["x"], maxOutputTokens: 7 });
  });
});
