/** Gemini GenerateContentResponse bodies and SSE scripts (reference §3.2–3.3). */
import { newId, opaqueSignature } from "../ids.js";
import type { Reply } from "../scenario.js";
import type { StreamScript } from "../stream.js";

type Obj = Record<string, unknown>;

export interface GeminiUsage {
  promptTokenCount: number;
  candidatesTokenCount: number;
  totalTokenCount: number;
  promptTokensDetails: { modality: "TEXT"; tokenCount: number }[];
}

function usage(prompt: number, candidates: number): GeminiUsage {
  return {
    promptTokenCount: prompt,
    candidatesTokenCount: candidates,
    totalTokenCount: prompt + candidates,
    promptTokensDetails: [{ modality: "TEXT", tokenCount: prompt }],
  };
}

function finishReason(reply: Reply): "STOP" | "MAX_TOKENS" {
  // A turn that ends in function calls still reports STOP.
  return reply.kind === "text" && reply.truncated ? "MAX_TOKENS" : "STOP";
}

/** Gemini 3 signs the first function call of a turn; later parallel calls carry none. */
function functionCallParts(reply: Reply & { kind: "tools" }, model: string): Obj[] {
  const signs = model.startsWith("gemini-3");
  return reply.calls.map((call, i) => {
    const part: Obj = { functionCall: { name: call.name, args: call.args } };
    if (signs && i === 0) part.thoughtSignature = opaqueSignature();
    return part;
  });
}

interface Envelope {
  model: string;
  responseId: string;
  withUsage: boolean;
}

function chunk(env: Envelope, parts: Obj[], finish: string | null, usageMeta: GeminiUsage): Obj {
  const candidate: Obj = { content: { parts, role: "model" } };
  if (finish !== null) candidate.finishReason = finish;
  candidate.index = 0;
  const body: Obj = { candidates: [candidate] };
  if (env.withUsage) body.usageMetadata = usageMeta;
  body.modelVersion = env.model;
  body.responseId = env.responseId;
  return body;
}

export function geminiResponse(model: string, reply: Reply, withUsage: boolean): Obj {
  const env = { model, responseId: newId(""), withUsage };
  const parts = reply.kind === "text" ? [{ text: reply.text }] : functionCallParts(reply, model);
  return chunk(env, parts, finishReason(reply), usage(reply.promptTokens, reply.completionTokens));
}

/** Stream chunks as JSON objects; the handler frames them as SSE or as a JSON array. */
export function geminiChunks(model: string, reply: Reply, withUsage: boolean): Obj[] {
  const env = { model, responseId: newId(""), withUsage };
  if (reply.kind === "tools") {
    // Each functionCall arrives whole; there are no partial arguments on this API.
    return [
      chunk(env, functionCallParts(reply, model), "STOP", usage(reply.promptTokens, reply.completionTokens)),
    ];
  }
  const out: Obj[] = [];
  reply.words.forEach((word, i) => {
    out.push(chunk(env, [{ text: word }], null, usage(reply.promptTokens, i + 1)));
  });
  // The final event carries the finish reason with an empty text part and the full usage.
  out.push(
    chunk(env, [{ text: "" }], finishReason(reply), usage(reply.promptTokens, reply.completionTokens)),
  );
  return out;
}

const sse = (data: unknown): string => `data: ${JSON.stringify(data)}\r\n\r\n`;

export function geminiStreamScript(chunks: Obj[]): StreamScript {
  return {
    events: chunks.map(sse),
    done: null,
    malformed: "data: {not json\r\n\r\n",
    error: sse({
      error: {
        code: 503,
        message: "The model is overloaded. Please try again later.",
        status: "UNAVAILABLE",
      },
    }),
    defaultErrorAt: 1,
  };
}
