import { z } from "zod";
import { modelName } from "./chat-request.js";

/**
 * The accepted `POST /v1/embeddings` body: OpenAI's Embeddings request. `input` is one text, a list of
 * texts, one list of token ids, or a list of those; unknown fields pass through to OpenAI-compatible
 * upstreams. `session_id` is MeshAPI's, as on chat completions.
 */
const tokenIds = z.array(z.number().int().min(0)).min(1);

export const embeddingsRequestSchema = z.looseObject({
  model: modelName.optional(),
  input: z.union([
    z.string().min(1),
    z.array(z.string().min(1)).min(1).max(2048),
    tokenIds,
    z.array(tokenIds).min(1).max(2048),
  ]),
  encoding_format: z.enum(["float", "base64"]).optional(),
  dimensions: z.number().int().min(1).optional(),
  user: z.string().optional(),
  session_id: z.string().min(1).max(256).optional(),
});

export type EmbeddingsRequest = z.infer<typeof embeddingsRequestSchema>;

/** The inputs as a list, whichever of the four shapes the client sent. */
export function inputList(input: EmbeddingsRequest["input"]): (string | number[])[] {
  if (typeof input === "string") return [input];
  if (input.every((x) => typeof x === "number")) return [input as number[]];
  return input as (string | number[])[];
}
