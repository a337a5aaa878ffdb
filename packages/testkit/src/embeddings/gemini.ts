/**
 * `POST /v1beta/models/{model}:embedContent` and `:batchEmbedContents` in the Gemini API's wire
 * format: `{content:{parts:[{text}]}}` → `{embedding:{values}}`, and `{requests:[…]}` →
 * `{embeddings:[{values}]}`. Neither reports token usage, as the real API does not.
 */
import type { Exchange } from "../exchange.js";
import { sendGoogleError } from "../gemini/errors.js";
import { isObject } from "../scenario.js";
import { embedText } from "./vectors.js";

const DIMENSIONS: Record<string, number> = {
  "gemini-embedding-001": 3072,
  "text-embedding-004": 768,
};
const DEFAULT_DIMENSIONS = 768;

export type GeminiEmbedMethod = "embedContent" | "batchEmbedContents";

/** One EmbedContentRequest checked as the API checks it; a string is the error message. */
function embedOne(req: unknown, model: string, where: string): number[] | string {
  if (!isObject(req) || !isObject(req.content) || !Array.isArray(req.content.parts)) {
    return `* ${where}content: contents is not specified`;
  }
  const texts: string[] = [];
  for (const part of req.content.parts) {
    if (!isObject(part) || typeof part.text !== "string")
      return `* ${where}content.parts: only text parts can be embedded`;
    texts.push(part.text);
  }
  const text = texts.join("");
  if (text === "") return `* ${where}content.parts[0].text: text content is empty`;
  const native = DIMENSIONS[model] ?? DEFAULT_DIMENSIONS;
  const d = req.outputDimensionality;
  if (d !== undefined && (!Number.isInteger(d) || (d as number) < 1 || (d as number) > native)) {
    return `* ${where}output_dimensionality: must be between 1 and ${native}`;
  }
  return embedText(text, (d as number | undefined) ?? native);
}

export function handleGeminiEmbeddings(ex: Exchange, model: string, method: GeminiEmbedMethod): void {
  const body = ex.body;
  if (!isObject(body)) {
    sendGoogleError(ex, 400, "Invalid JSON payload received. Unexpected token.");
    return;
  }
  if (model.includes("unknown")) {
    sendGoogleError(
      ex,
      404,
      `models/${model} is not found for API version v1beta, or is not supported for ${method}.`,
    );
    return;
  }
  if (method === "embedContent") {
    const values = embedOne(body, model, "");
    if (typeof values === "string") sendGoogleError(ex, 400, values);
    else ex.json(200, { embedding: { values } });
    return;
  }
  if (!Array.isArray(body.requests) || body.requests.length === 0 || body.requests.length > 100) {
    sendGoogleError(ex, 400, "* BatchEmbedContentsRequest.requests: between 1 and 100 requests are required");
    return;
  }
  const embeddings: { values: number[] }[] = [];
  for (const [i, req] of body.requests.entries()) {
    // Each request names its model, and it must be the one in the URL.
    if (isObject(req) && req.model !== `models/${model}`) {
      sendGoogleError(
        ex,
        400,
        `* BatchEmbedContentsRequest.requests[${i}].model: model must be models/${model}`,
      );
      return;
    }
    const values = embedOne(req, model, `BatchEmbedContentsRequest.requests[${i}].`);
    if (typeof values === "string") {
      sendGoogleError(ex, 400, values);
      return;
    }
    embeddings.push({ values });
  }
  ex.json(200, { embeddings });
}
