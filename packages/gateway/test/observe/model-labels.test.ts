import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { defineMetrics } from "../../src/observe/metric-definitions.js";
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

describe("SeriesLabels (each model's series resolved once)", () => {
  it("resolves each combination once, into the series of exactly its labels", async () => {
    const registry = new Registry();
    const cache = new SeriesLabelCache(defineMetrics(registry));
    const label = new ModelLabels(10).of("openai", "openai/a");
    const series = cache.of(label);
    expect(cache.of(label)).toBe(series);
    expect(series.requests(200, true)).toBe(series.requests(200, true));
    expect(series.attempt("error")).toBe(series.attempt("error"));
    series.requests(200, true).value++;
    series.requests(200, true).value++;
    series.requests(502, false).value++;
    series.attempt("error").observe(0.02);
    series.tokens("input").value += 7;
    const text = await registry.metrics();
    expect(text).toContain(
      'meshapi_chat_requests_total{provider="openai",model="openai/a",stream="true",status="200"} 2',
    );
    expect(text).toContain(
      'meshapi_chat_requests_total{provider="openai",model="openai/a",stream="false",status="502"} 1',
    );
    expect(text).toContain(
      'meshapi_upstream_duration_seconds_bucket{provider="openai",model="openai/a",outcome="error",le="0.025"} 1',
    );
    expect(text).toContain(
      'meshapi_upstream_duration_seconds_bucket{provider="openai",model="openai/a",outcome="error",le="0.01"} 0',
    );
    expect(text).toContain(
      'meshapi_upstream_duration_seconds_count{provider="openai",model="openai/a",outcome="error"} 1',
    );
    expect(text).toContain('meshapi_tokens_total{provider="openai",model="openai/a",direction="input"} 7');
    // Only what was updated is exported: no zero series for the other stream value or direction.
    expect(text).not.toContain('stream="false",status="200"');
    expect(text).not.toContain('direction="output"');
  });
});
