/**
 * `{{ name }}` placeholders: names are letters, digits and `_`; whitespace inside the braces is
 * ignored. Rendering is a single pass, so a value that itself contains `{{ x }}` is inserted as
 * written, never expanded (a variable cannot smuggle in another variable's value).
 */
const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

export type VariableValue = string | number | boolean;
export type Variables = Readonly<Record<string, VariableValue>>;

/** Names used by the placeholders of `text`, in order of first appearance. */
export function placeholders(text: string): string[] {
  const names = new Set<string>();
  for (const match of text.matchAll(PLACEHOLDER)) names.add(match[1] as string);
  return [...names];
}

/** Replaces every placeholder whose variable is known; unknown ones are left for `missingVariables`. */
export function renderText(text: string, variables: Variables): string {
  return text.replace(PLACEHOLDER, (whole, name: string) =>
    Object.hasOwn(variables, name) ? String(variables[name]) : whole,
  );
}

/** Every text a message carries that placeholders may appear in: string content or text parts. */
export function messageTexts(message: unknown): string[] {
  const content = (message as { content?: unknown } | null)?.content;
  if (typeof content === "string") return [content];
  if (!Array.isArray(content)) return [];
  return content
    .map((part) => (part as { text?: unknown } | null)?.text)
    .filter((t): t is string => typeof t === "string");
}

/** Renders a message's text content; other fields are kept as they are. */
export function renderMessage<T>(message: T, variables: Variables): T {
  const m = message as { content?: unknown };
  if (typeof m.content === "string") return { ...message, content: renderText(m.content, variables) };
  if (!Array.isArray(m.content)) return message;
  const content = m.content.map((part) => {
    const text = (part as { text?: unknown } | null)?.text;
    return typeof text === "string" ? { ...part, text: renderText(text, variables) } : part;
  });
  return { ...message, content };
}

/** Names that the texts use and `variables` does not supply, sorted, each once. */
export function missingVariables(texts: readonly string[], variables: Variables): string[] {
  const missing = new Set<string>();
  for (const text of texts) {
    for (const name of placeholders(text)) if (!Object.hasOwn(variables, name)) missing.add(name);
  }
  return [...missing].sort();
}
