import { describe, expect, it } from "vitest";
import { ModelLabels, UNROUTED } from "../../src/observe/model-labels.js";
import { SeriesLabelCache } from "../../src/observe/series-labels.js";

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

describe("SeriesLabels (ready-made label objects per model)", () => {
  it("builds each combination once, with exactly the labels of its metric", () => {
    const cache = new SeriesLabelCache();
    const label = new ModelLabels(10).of("openai", "openai/a");
    const series = cache.of(label);
    expect(cache.of(label)).toBe(series);
    expect(series.status(200, true)).toEqual({
      provider: "openai",
      model: "openai/a",
      stream: "true",
      status: "200",
    });
    expect(series.status(200, true)).toBe(series.status(200, true));
    expect(series.status(502, false)).toEqual({
      provider: "openai",
      model: "openai/a",
      stream: "false",
      status: "502",
    });
    expect(series.attempt("error")).toEqual({ provider: "openai", model: "openai/a", outcome: "error" });
    expect(series.attempt("error")).toBe(series.attempt("error"));
    expect(series.input).toEqual({ provider: "openai", model: "openai/a", direction: "input" });
    expect(series.model).toEqual({ provider: "openai", model: "openai/a" });
  });
});
