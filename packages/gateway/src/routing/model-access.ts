import { GatewayError } from "../errors/catalog.js";
import type { ApiKeyRecord } from "../store/types.js";

/**
 * Per-key model access: a key may be limited to a list of model patterns, `provider/*` for a whole
 * provider, an exact `provider/model` or a configured public name, `*` anywhere as a wildcard.
 * `null` (the default) allows every model. The patterns apply to the names a request asks for
 * (`model` and each of `models`), not to the deployments behind a public name: which deployments
 * serve it is the operator's choice.
 */

/** At most this many patterns per key, each at most 200 characters: a list, not a program. */
export const MAX_MODEL_PATTERNS = 100;

const PATTERN_RE = /^[A-Za-z0-9*][A-Za-z0-9._:/@*+-]{0,199}$/;

/** A problem with one pattern, or undefined when it is usable. */
export function patternProblem(pattern: string): string | undefined {
  if (!PATTERN_RE.test(pattern)) {
    return `"${pattern}" is not a model pattern (letters, digits, . _ : / @ + - and * as a wildcard)`;
  }
  return undefined;
}

/** Parses the comma-separated form the CLI takes; "all" or "*" clears the list (every model allowed). */
export function parseModelList(text: string): string[] | null {
  const items = text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (items.length === 0 || (items.length === 1 && (items[0] === "all" || items[0] === "*"))) return null;
  return items;
}

const compiled = new WeakMap<readonly string[], (model: string) => boolean>();

function matcher(patterns: readonly string[]): (model: string) => boolean {
  let match = compiled.get(patterns);
  if (match === undefined) {
    const exact = new Set(patterns.filter((p) => !p.includes("*")));
    const globs = patterns
      .filter((p) => p.includes("*"))
      .map((p) => new RegExp(`^${p.split("*").map(escapeRegExp).join(".*")}$`));
    match = (model) => exact.has(model) || globs.some((re) => re.test(model));
    compiled.set(patterns, match);
  }
  return match;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Whether the key may use `model`. */
export function modelAllowed(key: ApiKeyRecord, model: string): boolean {
  const patterns = key.allowedModels;
  return patterns === null || matcher(patterns)(model);
}

/**
 * Throws 403 model_not_allowed naming the first model of the request the key may not use.
 *
 * @example checkModelAccess(key, "anthropic/claude-sonnet-4.5", ["openai/gpt-4o"])
 */
export function checkModelAccess(key: ApiKeyRecord, model: string, fallbacks: readonly string[] = []): void {
  if (key.allowedModels === null) return;
  const names = fallbacks.length === 0 ? [model] : [model, ...fallbacks];
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string;
    if (modelAllowed(key, name)) continue;
    throw new GatewayError(
      "model_not_allowed",
      `This API key may not use "${name}". Allowed: ${key.allowedModels.join(", ")}.`,
      { param: i === 0 ? "model" : "models" },
    );
  }
}
