/** One vendor turn: a role and its parts, before serialising. */
export interface Turn<Role extends string, Part> {
  role: Role;
  parts: Part[];
}

/**
 * Adds a message's parts as a turn, merged into the previous turn when the role repeats: both
 * Anthropic and Gemini want alternating roles, and several OpenAI `tool` messages plus a `user`
 * message are one vendor user turn. Empty messages add nothing.
 *
 * @example pushTurn(turns, "user", [toolResult]); pushTurn(turns, "user", [text]) // one user turn
 */
export function pushTurn<Role extends string, Part>(
  turns: Turn<Role, Part>[],
  role: Role,
  parts: readonly Part[],
): void {
  if (parts.length === 0) return;
  const last = turns[turns.length - 1];
  if (last !== undefined && last.role === role) last.parts.push(...parts);
  else turns.push({ role, parts: [...parts] });
}

/** Tool results lead their turn (Anthropic requires it; Gemini reads it best), the rest keeps its order. */
export function resultsFirst<Part>(parts: Part[], isResult: (part: Part) => boolean): Part[] {
  const results = parts.filter(isResult);
  if (results.length === 0 || results.length === parts.length) return parts;
  return [...results, ...parts.filter((p) => !isResult(p))];
}
