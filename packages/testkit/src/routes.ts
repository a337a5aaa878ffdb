/** Routes for the non-OpenAI wire formats (Anthropic, Gemini). */
import { handleMessages } from "./anthropic/handler.js";
import { handleGeminiEmbeddings } from "./embeddings/gemini.js";
import { handleEmbeddings } from "./embeddings/openai.js";
import type { Exchange } from "./exchange.js";
import { standingPreflight } from "./faults.js";
import { sendGoogleError } from "./gemini/errors.js";
import { authorised as geminiAuthorised, handleGemini } from "./gemini/handler.js";
import { sendOpenAIError } from "./openai/errors.js";
import { authorised as openaiAuthorised } from "./openai/handler.js";
import { handleResponses } from "./responses/handler.js";

/** The key each wire format expects; undefined = any non-empty key. */
export interface ResolvedKeys {
  openai: string | undefined;
  anthropic: string | undefined;
  gemini: string | undefined;
}

const GEMINI_PREFIXES = ["/v1beta/models/", "/v1/models/"];

/** Handles the request when it belongs to a non-OpenAI format; resolves to false otherwise. */
export async function routeVendor(ex: Exchange, method: string, keys: ResolvedKeys): Promise<boolean> {
  if (method !== "POST") return false;
  const path = ex.path;
  if (path === "/v1/messages") {
    await handleMessages(ex, keys.anthropic);
    return true;
  }
  if (path === "/v1/responses") {
    await handleResponses(ex, keys.openai);
    return true;
  }
  if (path === "/v1/embeddings") {
    if (openaiAuthorised(ex, keys.openai) && (await standingPreflight(ex, sendOpenAIError)))
      handleEmbeddings(ex);
    return true;
  }
  for (const prefix of GEMINI_PREFIXES) {
    if (!path.startsWith(prefix)) continue;
    const rest = decodeURIComponent(path.slice(prefix.length));
    const colon = rest.lastIndexOf(":");
    if (colon === -1) return false;
    const action = rest.slice(colon + 1);
    if (action === "embedContent" || action === "batchEmbedContents") {
      if (geminiAuthorised(ex, keys.gemini) && (await standingPreflight(ex, sendGoogleError)))
        handleGeminiEmbeddings(ex, rest.slice(0, colon), action);
      return true;
    }
    if (action !== "generateContent" && action !== "streamGenerateContent") return false;
    await handleGemini(ex, rest.slice(0, colon), action, keys.gemini);
    return true;
  }
  return false;
}
