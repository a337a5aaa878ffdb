import { describe, expect, it } from "vitest";
import type { ChatRequest } from "../../../src/pipeline/chat-request.js";
import { claudeModel, claudeWireId } from "../../../src/providers/anthropic/models.js";
import { buildAnthropicBody } from "../../../src/providers/anthropic/request.js";
import { thrown } from "./thrown.js";

type Messages = ChatRequest["messages"];
const SONNET = claudeModel("claude-sonnet-4-5");
const body = (request: Partial<ChatRequest> & { messages: Messages }, model = SONNET) =>
  buildAnthropicBody(request as ChatRequest, model, false) as Record<string, unknown> & {
    messages: { role: string; content: Record<string, unknown>[] }[];
  };
const hi: Messages = [{ role: "user", content: "hi" }];

describe("claudeModel", () => {
  it.each([
    ["claude-opus-4-6", 64_000, false, true, true],
    ["claude-sonnet-4-5-20250929", 64_000, false, true, true],
    ["claude-haiku-4-5", 64_000, false, true, true],
    ["claude-opus-4-1", 32_000, false, true, true],
    ["claude-opus-4-0", 32_000, false, false, false],
    ["claude-sonnet-4-20250514", 64_000, false, false, false],
    ["claude-3-7-sonnet-latest", 64_000, false, false, false],
    ["claude-3-5-haiku-latest", 8_192, false, false, false],
    ["claude-3-haiku-20240307", 4_096, false, false, false],
    ["claude-opus-4-7", 64_000, true, true, true],
    ["claude-sonnet-5", 64_000, true, true, true],
    ["my-finetune", 4_096, false, false, true],
  ])(
    "%s: max_tokens %i, fixed sampling %s, one sampling parameter %s, structured outputs %s",
    (id, max, fixed, one, structured) => {
      expect(claudeModel(id)).toEqual({
        id,
        defaultMaxTokens: max,
        fixedSampling: fixed,
        oneSamplingParameter: one,
        structuredOutputs: structured,
      });
    },
  );

  it("spells dotted versions with dashes", () => {
    expect(claudeWireId("claude-sonnet-4.5")).toBe("claude-sonnet-4-5");
    expect(claudeModel("claude-opus-4.1").id).toBe("claude-opus-4-1");
    expect(claudeWireId("other-1.5")).toBe("other-1.5");
  });
});

describe("buildAnthropicBody: parameters (reference §4.4 items 1, 14)", () => {
  it("always sends max_tokens: the request's, else the model's default", () => {
    expect(body({ messages: hi }).max_tokens).toBe(64_000);
    expect(body({ messages: hi }, claudeModel("claude-3-5-haiku-latest")).max_tokens).toBe(8_192);
    expect(body({ messages: hi, max_tokens: 10 }).max_tokens).toBe(10);
    expect(body({ messages: hi, max_tokens: 10, max_completion_tokens: 5 }).max_tokens).toBe(5);
  });

  it("sends only temperature when a model refuses both temperature and top_p", () => {
    expect(body({ messages: hi, temperature: 0.5, top_p: 0.9 })).toMatchObject({ temperature: 0.5 });
    expect(body({ messages: hi, temperature: 0.5, top_p: 0.9 }).top_p).toBeUndefined();
    expect(body({ messages: hi, top_p: 0.9 }).top_p).toBe(0.9);
    const old = body({ messages: hi, temperature: 0.5, top_p: 0.9 }, claudeModel("claude-sonnet-4-0"));
    expect(old).toMatchObject({ temperature: 0.5, top_p: 0.9 });
  });

  it("drops sampling parameters for models that accept only the defaults", () => {
    const out = body({ messages: hi, temperature: 1.7, top_p: 0.5 }, claudeModel("claude-opus-4-7"));
    expect(out.temperature).toBeUndefined();
    expect(out.top_p).toBeUndefined();
  });

  it("drops parameters without an Anthropic equivalent", () => {
    const out = body({
      messages: hi,
      seed: 1,
      frequency_penalty: 1,
      presence_penalty: 1,
      logit_bias: { "1": 2 },
      stream: true,
    });
    for (const field of ["seed", "frequency_penalty", "presence_penalty", "logit_bias", "stream", "n"]) {
      expect(out[field]).toBeUndefined();
    }
    expect(buildAnthropicBody({ messages: hi } as ChatRequest, SONNET, true).stream).toBe(true);
  });

  it.each([
    [{ n: 2 }, "n"],
    [{ logprobs: true }, "logprobs"],
    [{ temperature: 1.2 }, "temperature"],
    [{ response_format: { type: "json_object" } }, "response_format.type"],
  ])("refuses %j with a 422 on %s", (extra, param) => {
    const err = thrown(() => body({ messages: hi, ...(extra as Partial<ChatRequest>) }));
    expect(err.status).toBe(422);
    expect(err.param).toBe(param);
  });

  it("json_schema: structured outputs on models that have them, a 422 elsewhere", () => {
    const response_format = {
      type: "json_schema" as const,
      json_schema: { name: "x", schema: { type: "object" } },
    };
    expect(body({ messages: hi, response_format }).output_config).toEqual({
      format: { type: "json_schema", schema: { type: "object" } },
    });
    const err = thrown(() => body({ messages: hi, response_format }, claudeModel("claude-3-5-haiku-latest")));
    expect(err.message).toContain("does not support structured outputs");
  });
});

describe("buildAnthropicBody: messages (reference §4.4 items 2, 3, 12, 15, 17)", () => {
  it("hoists system messages from anywhere, passing cache_control on", () => {
    const out = body({
      messages: [
        { role: "user", content: "a" },
        { role: "system", content: [{ type: "text", text: "rules", cache_control: { type: "ephemeral" } }] },
        { role: "assistant", content: "b" },
        { role: "developer", content: "  " },
        { role: "user", content: "c" },
      ] as Messages,
    });
    expect(out.system).toEqual([{ type: "text", text: "rules", cache_control: { type: "ephemeral" } }]);
    expect(out.messages.map((m) => m.role)).toEqual(["user", "assistant", "user"]);
  });

  it("merges consecutive same-role messages and never sends blank text", () => {
    const out = body({
      messages: [
        { role: "user", content: "a" },
        { role: "user", content: "" },
        {
          role: "user",
          content: [
            { type: "text", text: " \n" },
            { type: "text", text: "b" },
          ],
        },
        { role: "assistant", content: "x" },
        { role: "assistant", content: "y" },
        { role: "user", content: "z" },
      ],
    });
    expect(out.messages).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "a" },
          { type: "text", text: "b" },
        ],
      },
      {
        role: "assistant",
        content: [
          { type: "text", text: "x" },
          { type: "text", text: "y" },
        ],
      },
      { role: "user", content: [{ type: "text", text: "z" }] },
    ]);
  });

  it("trims trailing whitespace from a final assistant prefill", () => {
    const out = body({ messages: [...hi, { role: "assistant", content: "The answer is " }] });
    expect(out.messages[1]).toEqual({
      role: "assistant",
      content: [{ type: "text", text: "The answer is" }],
    });
    const blank = body({ messages: [...hi, { role: "assistant", content: "   " }] });
    expect(blank.messages).toHaveLength(1);
  });

  it("turns tool calls into tool_use and results into leading tool_result blocks", () => {
    const out = body({
      messages: [
        ...hi,
        {
          role: "assistant",
          content: "Checking.",
          tool_calls: [
            { id: "toolu_1", type: "function", function: { name: "f", arguments: '{"a":1}' } },
            { id: "toolu_2", type: "function", function: { name: "g", arguments: "" } },
          ],
        },
        { role: "user", content: "hurry" },
        { role: "tool", tool_call_id: "toolu_2", content: "" },
        { role: "tool", tool_call_id: "toolu_1", content: "one" },
      ],
    });
    expect(out.messages[1]?.content).toEqual([
      { type: "text", text: "Checking." },
      { type: "tool_use", id: "toolu_1", name: "f", input: { a: 1 } },
      { type: "tool_use", id: "toolu_2", name: "g", input: {} },
    ]);
    expect(out.messages[2]?.content).toEqual([
      { type: "tool_result", tool_use_id: "toolu_2" },
      { type: "tool_result", tool_use_id: "toolu_1", content: "one" },
      { type: "text", text: "hurry" },
    ]);
  });

  it("maps foreign tool-call ids the same way on the call and its result", () => {
    const out = body({
      messages: [
        ...hi,
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "fc.1:x", type: "function", function: { name: "f", arguments: "{}" } }],
        },
        { role: "tool", tool_call_id: "fc.1:x", content: "r" },
      ],
    });
    const id = out.messages[1]?.content[0]?.id as string;
    expect(id).toMatch(/^toolu_[A-Za-z0-9_-]{24}$/);
    expect(out.messages[2]?.content[0]?.tool_use_id).toBe(id);
  });

  it("refuses deprecated function messages and unparseable arguments", () => {
    expect(thrown(() => body({ messages: [{ role: "function", name: "f", content: "x" }] })).param).toBe(
      "messages.0",
    );
    const err = thrown(() =>
      body({
        messages: [
          ...hi,
          {
            role: "assistant",
            content: null,
            tool_calls: [{ id: "a", type: "function", function: { name: "f", arguments: "{oops" } }],
          },
        ],
      }),
    );
    expect(err.param).toBe("messages.1.tool_calls.0.function.arguments");
  });

  it("maps images and documents, refusing what Claude cannot read", () => {
    const user = (content: unknown): Messages => [{ role: "user", content } as Messages[number]];
    const png = "data:image/webp;base64,UklG";
    expect(
      body({ messages: user([{ type: "image_url", image_url: { url: png } }]) }).messages[0]?.content,
    ).toEqual([{ type: "image", source: { type: "base64", media_type: "image/webp", data: "UklG" } }]);
    const pdf = { type: "file", file: { file_data: "data:application/pdf;base64,JVBE", filename: "a.pdf" } };
    expect(body({ messages: user([pdf]) }).messages[0]?.content).toEqual([
      {
        type: "document",
        source: { type: "base64", media_type: "application/pdf", data: "JVBE" },
        title: "a.pdf",
      },
    ]);
    const txt = {
      type: "file",
      file: { file_data: `data:text/plain;base64,${Buffer.from("notes").toString("base64")}` },
    };
    expect(body({ messages: user([txt]) }).messages[0]?.content).toEqual([
      { type: "document", source: { type: "text", media_type: "text/plain", data: "notes" } },
    ]);
    for (const [part, loc] of [
      [
        { type: "image_url", image_url: { url: "data:image/bmp;base64,Qk0=" } },
        ["body", "messages", 0, "content", 0, "image_url", "url"],
      ],
      [
        { type: "image_url", image_url: { url: "ftp://x/y.png" } },
        ["body", "messages", 0, "content", 0, "image_url", "url"],
      ],
      [
        { type: "input_audio", input_audio: { data: "AA", format: "wav" } },
        ["body", "messages", 0, "content", 0],
      ],
      [
        { type: "file", file: { file_data: "data:application/zip;base64,UEs=" } },
        ["body", "messages", 0, "content", 0, "file", "file_data"],
      ],
    ] as const) {
      expect(thrown(() => body({ messages: user([part]) })).details?.[0]?.loc).toEqual(loc);
    }
  });
});

describe("toAnthropicTools (reference §2.3, §4.4 item 8)", () => {
  const fn = (name: string, parameters?: Record<string, unknown>) => ({
    type: "function" as const,
    function: parameters === undefined ? { name } : { name, parameters },
  });
  const tools = [fn("a", { type: "object", properties: { x: { type: "string" } } }), fn("b")];

  it.each([
    [undefined, { type: "auto" }],
    ["auto", { type: "auto" }],
    ["none", { type: "none" }],
    ["required", { type: "any" }],
    [
      { type: "function", function: { name: "b" } },
      { type: "tool", name: "b" },
    ],
  ])("tool_choice %j → %j", (choice, expected) => {
    expect(
      body({ messages: hi, tools, ...(choice === undefined ? {} : { tool_choice: choice }) } as never)
        .tool_choice,
    ).toEqual(expected);
  });

  it("parallel_tool_calls: false disables parallel use, except with none", () => {
    expect(body({ messages: hi, tools, parallel_tool_calls: false }).tool_choice).toEqual({
      type: "auto",
      disable_parallel_tool_use: true,
    });
    expect(
      body({ messages: hi, tools, tool_choice: "none", parallel_tool_calls: false }).tool_choice,
    ).toEqual({ type: "none" });
  });

  it("allowed_tools keeps only the listed tools", () => {
    const out = body({
      messages: hi,
      tools,
      tool_choice: {
        type: "allowed_tools",
        allowed_tools: { mode: "required", tools: [{ type: "function", function: { name: "b" } }] },
      },
    } as never);
    expect(out.tools).toEqual([{ name: "b", input_schema: { type: "object", properties: {} } }]);
    expect(out.tool_choice).toEqual({ type: "any" });
  });

  it("gives every tool an object input_schema", () => {
    const out = body({
      messages: hi,
      tools: [fn("a", { properties: { x: { type: "string" } } }), fn("b", {})],
    });
    expect(out.tools).toEqual([
      { name: "a", input_schema: { type: "object", properties: { x: { type: "string" } } } },
      { name: "b", input_schema: { type: "object", properties: {} } },
    ]);
    const err = thrown(() => body({ messages: hi, tools: [fn("a", { type: "array", items: {} })] }));
    expect(err.param).toBe("tools.0.function.parameters.type");
  });

  it("sends no tool_choice without tools, and refuses custom tools", () => {
    expect(body({ messages: hi, tool_choice: "required" }).tool_choice).toBeUndefined();
    const custom = { type: "custom", custom: { name: "grammar" } };
    expect(thrown(() => body({ messages: hi, tools: [custom] } as never)).param).toBe("tools.0");
  });
});
