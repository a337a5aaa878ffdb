/** Routes for the non-OpenAI wire formats (Anthropic, Gemini). */
import type { Exchange } from "./exchange.js";

/** The key each wire format expects; undefined = any non-empty key. */
export interface ResolvedKeys {
  openai: string | undefined;
  anthropic: string | undefined;
  gemini: string | undefined;
}

/** Handles the request when it belongs to a non-OpenAI format; resolves to false otherwise. */
export async function routeVendor(_ex: Exchange, _method: string, _keys: ResolvedKeys): Promise<boolean> {
  return false;
}
