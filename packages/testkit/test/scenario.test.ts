import { describe, expect, it } from "vitest";
import { NO_DIRECTIVES, parseDirectives } from "../src/directives.js";
import { type Conversation, lastCapitalisedWord, planReply, splitWords } from "../src/scenario.js";

function conv(overrides: Partial<Conversation> = {}): Conversation {
  return {
    userText: "",
    ending: "user",
    toolResults: [],
    promptChars: 40,
    tools: [],
    toolChoice: { mode: "auto" },
    maxTokens: null,
    ...overrides,
  };
}

describe("planReply", () => {
  it("answers the capital question and counts words and characters", () => {
    const reply = planReply(conv({ promptChars: 41 }), "What is the capital of France?", NO_DIRECTIVES);
    expect(reply).toMatchObject({ kind: "text", text: "The capital of France is Paris.", truncated: false });
    expect(reply.promptTokens).toBe(11);
    expect(reply.completionTokens).toBe(6);
  });

  it("echoes other text", () => {
    const reply = planReply(conv(), "hello world", NO_DIRECTIVES);
    expect(reply.kind === "text" && reply.text).toBe("You said: hello world");
  });

  it("truncates to maxTokens words", () => {
    const reply = planReply(conv({ maxTokens: 3 }), "capital of France?", NO_DIRECTIVES);
    expect(reply).toMatchObject({
      kind: "text",
      text: "The capital of",
      truncated: true,
      completionTokens: 3,
    });
    expect(reply.kind === "text" && reply.words).toEqual(["The ", "capital ", "of"]);
  });

  it("builds words=N replies", () => {
    const parsed = parseDirectives("[[sim:words=4]] anything");
    if (!parsed.ok) throw new Error(parsed.message);
    const reply = planReply(conv(), parsed.text, parsed.directives);
    expect(reply.kind === "text" && reply.text).toBe("w1 w2 w3 w4");
  });

  it("summarises tool results", () => {
    const reply = planReply(
      conv({ ending: "tool_results", toolResults: ["18C", "sunny"] }),
      "x",
      NO_DIRECTIVES,
    );
    expect(reply.kind === "text" && reply.text).toBe("Tool results: 18C; sunny");
  });

  it("calls the named tool with arguments from required properties", () => {
    const tools = [
      { name: "a", parameters: { type: "object", properties: {}, required: [] } },
      {
        name: "b",
        parameters: {
          type: "object",
          properties: {
            s: { type: "string" },
            n: { type: "number" },
            i: { type: ["integer", "null"] },
            o: { type: "object" },
          },
          required: ["s", "n", "i", "o", "missing"],
        },
      },
    ];
    const reply = planReply(
      conv({ tools, toolChoice: { mode: "named", name: "b" } }),
      "Weather in Rome, please",
      NO_DIRECTIVES,
    );
    expect(reply.kind).toBe("tools");
    if (reply.kind !== "tools") return;
    expect(reply.calls).toEqual([
      {
        name: "b",
        args: { s: "Rome", n: 1, i: 1, o: null, missing: null },
        argsJson: '{"s":"Rome","n":1,"i":1,"o":null,"missing":null}',
      },
    ]);
    // 48 characters of arguments → ceil(48 / 4)
    expect(reply.completionTokens).toBe(12);
  });

  it("does not call tools when tool_choice is none or the conversation ends in results", () => {
    const tools = [{ name: "t", parameters: {} }];
    expect(planReply(conv({ tools, toolChoice: { mode: "none" } }), "hi", NO_DIRECTIVES).kind).toBe("text");
    expect(planReply(conv({ tools, ending: "tool_results" }), "hi", NO_DIRECTIVES).kind).toBe("text");
  });

  it("makes parallel calls: first N tools, or the single tool N times", () => {
    const one = [{ name: "only", parameters: {} }];
    const two = [
      { name: "first", parameters: {} },
      { name: "second", parameters: {} },
    ];
    const d = { ...NO_DIRECTIVES, parallel: 2 };
    const a = planReply(conv({ tools: one }), "x", d);
    const b = planReply(conv({ tools: two }), "x", d);
    expect(a.kind === "tools" && a.calls.map((c) => c.name)).toEqual(["only", "only"]);
    expect(b.kind === "tools" && b.calls.map((c) => c.name)).toEqual(["first", "second"]);
  });
});

describe("text helpers", () => {
  it("splits words keeping the following space", () => {
    expect(splitWords("The capital is Paris.")).toEqual(["The ", "capital ", "is ", "Paris."]);
  });

  it("finds the last capitalised word without punctuation", () => {
    expect(lastCapitalisedWord("What's the weather in Paris?")).toBe("Paris");
    expect(lastCapitalisedWord("no capitals here!")).toBe("here");
  });
});
