import { describe, expect, it } from "vitest";
import type { GatewayError } from "../../src/errors/catalog.js";
import { expandTemplate } from "../../src/pipeline/apply-template.js";
import type { ChatRequest } from "../../src/pipeline/chat-request.js";
import type { TemplateRecord } from "../../src/store/types.js";
import { missingVariables, placeholders, renderMessage, renderText } from "../../src/templates/render.js";

const template = (over: Partial<TemplateRecord> = {}): TemplateRecord => ({
  id: "tpl_1",
  ownerKeyId: "key_1",
  name: "support",
  description: null,
  system: "You are {{ bot }}, helping {{customer}}.",
  messages: [{ role: "user", content: "My order is {{ order_id }}." }],
  model: "openai/gpt-4o-mini",
  params: { temperature: 0.2, max_tokens: 50 },
  variables: {},
  createdAt: 0,
  updatedAt: 0,
  ...over,
});

const request = (over: Record<string, unknown> = {}) =>
  ({ messages: [{ role: "user", content: "Where is it?" }], ...over }) as ChatRequest;

function thrown(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (err) {
    return err as GatewayError;
  }
  throw new Error("did not throw");
}

describe("template placeholders", () => {
  it("trims whitespace inside the braces, in any amount", () => {
    expect(renderText("{{x}} {{ x }} {{   x\t}}", { x: "A" })).toBe("A A A");
  });

  it("accepts letters, digits and _ in names, and leaves anything else alone", () => {
    expect(placeholders("{{ a_1 }} {{ B2 }} {{ not-a-name }} {{ }} {x}")).toEqual(["a_1", "B2"]);
    expect(renderText("{{ not-a-name }} {{a_1}}", { a_1: 1 })).toBe("{{ not-a-name }} 1");
  });

  it("renders numbers and booleans as text", () => {
    expect(renderText("{{n}} items, gift: {{g}}", { n: 3, g: false })).toBe("3 items, gift: false");
  });

  it("keeps unicode in templates and values intact", () => {
    expect(renderText("Grüße, {{ name }} 👋 — {{ city }}", { name: "Zoë", city: "東京" })).toBe(
      "Grüße, Zoë 👋 — 東京",
    );
  });

  it("does not expand placeholders inside values (single pass)", () => {
    expect(renderText("{{ a }}", { a: "{{ b }}", b: "secret" })).toBe("{{ b }}");
  });

  it("handles placeholders nested in extra braces and repeated ones", () => {
    expect(renderText("{{{ x }}} {{x}}{{x}}", { x: "v" })).toBe("{v} vv");
  });

  it("renders text parts of multi-part content and leaves other parts", () => {
    const m = {
      role: "user",
      content: [
        { type: "text", text: "Look at {{ what }}" },
        { type: "image_url", image_url: { url: "https://x/{{ what }}.png" } },
      ],
    };
    expect(renderMessage(m, { what: "this" })).toEqual({
      role: "user",
      content: [
        { type: "text", text: "Look at this" },
        { type: "image_url", image_url: { url: "https://x/{{ what }}.png" } },
      ],
    });
  });

  it("lists every missing variable once, sorted", () => {
    expect(missingVariables(["{{ b }} {{a}}", "{{ b }} {{ c }}"], { c: 1 })).toEqual(["a", "b"]);
  });
});

describe("expanding a template into a request", () => {
  it("puts the rendered system prompt and messages before the request's own", () => {
    const out = expandTemplate(
      template(),
      request({ variables: { bot: "Mesh", customer: "Ann", order_id: 42 } }),
    );
    expect(out.messages).toEqual([
      { role: "system", content: "You are Mesh, helping Ann." },
      { role: "user", content: "My order is 42." },
      { role: "user", content: "Where is it?" },
    ]);
  });

  it("does not render the request's own messages", () => {
    const out = expandTemplate(
      template({ system: null, messages: [] }),
      request({ messages: [{ role: "user", content: "{{ x }}" }], variables: { x: "no" } }),
    );
    expect(out.messages).toEqual([{ role: "user", content: "{{ x }}" }]);
  });

  it("a missing variable is a 422 that names every missing one", () => {
    const err = thrown(() => expandTemplate(template(), request({ variables: { customer: "Ann" } })));
    expect(err.code).toBe("validation_error");
    expect(err.message).toContain("bot, order_id");
    expect(err.details?.map((d) => d.loc)).toEqual([
      ["body", "variables", "bot"],
      ["body", "variables", "order_id"],
    ]);
  });

  it("ignores extra variables and uses the template's defaults", () => {
    const out = expandTemplate(
      template({ variables: { bot: "Default" } }),
      request({ variables: { customer: "Ann", order_id: "A-1", unused: "x" } }),
    );
    expect(out.messages[0]).toEqual({ role: "system", content: "You are Default, helping Ann." });
  });

  it("request parameters win over template parameters; the template's model fills in", () => {
    const vars = { variables: { bot: "b", customer: "c", order_id: "o" } };
    const out = expandTemplate(template(), request({ ...vars, temperature: 1 }));
    expect(out.temperature).toBe(1);
    expect(out.max_tokens).toBe(50);
    expect(out.model).toBe("openai/gpt-4o-mini");
    expect(expandTemplate(template(), request({ ...vars, model: "openai/gpt-4o" })).model).toBe(
      "openai/gpt-4o",
    );
  });
});
