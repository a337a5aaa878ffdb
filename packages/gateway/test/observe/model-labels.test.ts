import { describe, expect, it } from "vitest";
import { ModelLabels, UNROUTED } from "../../src/observe/model-labels.js";

describe("ModelLabels (the model label's cardinality cap)", () => {
  it("keeps the first N models and labels the rest of each provider 'other'", () => {
    const labels = new ModelLabels(2);
    expect(labels.of("openai", "openai/a")).toEqual({ provider: "openai", model: "openai/a" });
    expect(labels.of("anthropic", "anthropic/b")).toEqual({ provider: "anthropic", model: "anthropic/b" });
    expect(labels.of("openai", "openai/c")).toEqual({ provider: "openai", model: "other" });
    expect(labels.of("anthropic", "anthropic/d")).toEqual({ provider: "anthropic", model: "other" });
    // A model seen before the cap keeps its own label for good.
    expect(labels.of("openai", "openai/a")).toEqual({ provider: "openai", model: "openai/a" });
  });

  it("returns the same label object for the same model (no allocation per request)", () => {
    const labels = new ModelLabels(10);
    expect(labels.of("openai", "openai/a")).toBe(labels.of("openai", "openai/a"));
  });

  it("labels requests without a provider as unrouted", () => {
    const labels = new ModelLabels(10);
    expect(labels.of(null, "whatever/the-client-sent")).toBe(UNROUTED);
    expect(labels.of("openai", null)).toBe(UNROUTED);
  });
});
