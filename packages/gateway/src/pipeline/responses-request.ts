import { z } from "zod";
import { modelName } from "./chat-request.js";

/**
 * The accepted `POST /v1/responses` body: OpenAI's Responses request (reference: the Responses API).
 * Items and tools are loose objects; what cannot be translated onto chat completions is refused by the
 * translation (providers/translate/from-responses), with a 400 naming the field.
 */
const item = z.looseObject({ type: z.string().optional(), role: z.string().optional() });

export const responsesRequestSchema = z.looseObject({
  model: modelName.optional(),
  input: z.union([z.string().min(1), z.array(item).min(1)]),
  instructions: z.string().nullable().optional(),
  max_output_tokens: z.number().int().min(1).nullable().optional(),
  temperature: z.number().min(0).max(2).nullable().optional(),
  top_p: z.number().min(0).max(1).nullable().optional(),
  stream: z.boolean().nullable().optional(),
  tools: z.array(z.looseObject({ type: z.string().min(1) })).optional(),
  tool_choice: z
    .union([
      z.enum(["auto", "none", "required"]),
      z.looseObject({ type: z.string(), name: z.string().optional() }),
    ])
    .optional(),
  parallel_tool_calls: z.boolean().nullable().optional(),
  text: z.looseObject({ format: z.looseObject({ type: z.string() }).optional() }).optional(),
  user: z.string().optional(),
  metadata: z.record(z.string(), z.string()).nullable().optional(),
  store: z.boolean().nullable().optional(),
  /** MeshAPI's, as on chat completions. */
  session_id: z.string().min(1).max(256).optional(),
});

export type ResponsesRequest = z.infer<typeof responsesRequestSchema>;
export type ResponsesItem = z.infer<typeof item>;
