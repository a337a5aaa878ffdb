import { z } from "zod";

/**
 * The accepted `POST /v1/messages` body: Anthropic's Messages request (reference §2). Blocks are loose
 * objects so new Anthropic fields pass through to Anthropic unchanged; what the translation to other
 * providers cannot carry is refused there, not here.
 */
const textBlock = z.looseObject({ type: z.literal("text"), text: z.string() });
const block = z.looseObject({ type: z.string().min(1) });

const message = z.looseObject({
  role: z.enum(["user", "assistant"]),
  content: z.union([z.string(), z.array(block)]),
});

const tool = z.looseObject({
  name: z.string().min(1).max(128),
  type: z.string().optional(),
  description: z.string().optional(),
  input_schema: z.record(z.string(), z.unknown()).optional(),
});

export const messagesRequestSchema = z.looseObject({
  /** `provider/model`, or a bare Claude id (`claude-sonnet-4-5`) meaning `anthropic/<id>`. */
  model: z.string().min(1).max(256),
  max_tokens: z.number().int().min(1),
  messages: z.array(message).min(1),
  system: z.union([z.string(), z.array(textBlock)]).optional(),
  stop_sequences: z.array(z.string()).optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().min(0).optional(),
  stream: z.boolean().optional(),
  tools: z.array(tool).optional(),
  tool_choice: z
    .looseObject({
      type: z.enum(["auto", "any", "tool", "none"]),
      name: z.string().optional(),
      disable_parallel_tool_use: z.boolean().optional(),
    })
    .optional(),
  metadata: z.looseObject({ user_id: z.string().nullable().optional() }).optional(),
  /** MeshAPI's, as on chat completions. */
  session_id: z.string().min(1).max(256).optional(),
});

export type MessagesRequest = z.infer<typeof messagesRequestSchema>;
export type MessagesBlock = z.infer<typeof block>;

/** The `provider/model` a Messages request names: bare ids are Claude models, as Claude Code sends them. */
export function messagesModel(model: string): string {
  return model.includes("/") ? model : `anthropic/${model}`;
}
