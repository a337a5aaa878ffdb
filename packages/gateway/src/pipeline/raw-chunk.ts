/**
 * The pass-through relay's text rewrite of one OpenAI-format chunk, without parsing it. Most chunks of
 * a stream are content deltas: for those the gateway only puts its public model name in and settles
 * the `usage` key (absent, or `null` when the client asked for `include_usage`), so they are edited as
 * text. A chunk that carries anything the gateway must act on (a non-null `usage` or `finish_reason`,
 * no choices, an unusual `model`) makes `rewriteRawChunk` answer undefined, and the relay parses that
 * one. Every test is conservative: an unfamiliar spelling means "parse", never a wrong rewrite.
 */

/**
 * The chunk's text with `model` replaced by `modelJson` (a JSON string literal) and its `usage` key as
 * the client expects it, or undefined when the chunk must be parsed.
 */
export function rewriteRawChunk(text: string, modelJson: string, includeUsage: boolean): string | undefined {
  if (!onlyNullValues(text, '"finish_reason"') || !onlyNullValues(text, '"usage"')) return undefined;
  const choices = text.indexOf('"choices":[');
  if (choices === -1 || text.charCodeAt(choices + 11) === 93 /* ] */) return undefined;

  const model = text.indexOf('"model":"');
  if (model === -1) return undefined;
  const valueStart = model + 9;
  const valueEnd = text.indexOf('"', valueStart);
  if (valueEnd === -1) return undefined;
  const backslash = text.indexOf("\\", valueStart);
  if (backslash !== -1 && backslash < valueEnd) return undefined;

  // Every position is found in the vendor's text first and the answer is built from slices of it in
  // one go: searching a string built by concatenation would make V8 copy it flat first.
  const head = text.slice(0, model + 8) + modelJson;
  const usage = text.indexOf('"usage"');
  if (includeUsage) {
    // OpenAI sends `usage: null` on every chunk before the tail when the client asked for usage.
    return usage === -1
      ? `${head}${text.slice(valueEnd + 1, -1)},"usage":null}`
      : head + text.slice(valueEnd + 1);
  }
  if (usage === -1) return head + text.slice(valueEnd + 1);
  // Drop `"usage":null` with one of its commas; anything else spelled differently is parsed.
  let cut = usage - 1;
  let to = usage + 12;
  if (!text.startsWith(',"usage":null', cut)) {
    if (!text.startsWith('"usage":null,', usage)) return undefined;
    cut = usage;
    to = usage + 13;
  }
  if (cut < valueEnd) return undefined; // usage before model: rare, and simplest parsed
  return head + text.slice(valueEnd + 1, cut) + text.slice(to);
}

/** True when every `key` in `text` has the value `null` (or there is none). */
function onlyNullValues(text: string, key: string): boolean {
  let at = text.indexOf(key);
  while (at !== -1) {
    let i = skipSpaces(text, at + key.length);
    // A key is followed by a colon; the same word followed by anything else is a string value, which
    // is harmless, but stay on the safe side and parse.
    if (text.charCodeAt(i) !== 58 /* : */) return false;
    i = skipSpaces(text, i + 1);
    if (!text.startsWith("null", i)) return false;
    at = text.indexOf(key, i + 4);
  }
  return true;
}

function skipSpaces(text: string, i: number): number {
  let c = text.charCodeAt(i);
  while (c === 32 || c === 10 || c === 13 || c === 9) c = text.charCodeAt(++i);
  return i;
}
