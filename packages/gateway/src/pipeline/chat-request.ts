import { z } from "zod";
import { MAX_CACHE_TTL_SECONDS } from "../cache/cache-config.js";

/**
 * The accepted `POST /v1/chat/completions` body: OpenAI's request (reference §1.1–1.3) plus MeshAPI's
 * extensions. Documented fields are checked for type and range; unknown top-level and message fields
 * pass through to OpenAI-compatible upstreams (loose objects), so new OpenAI parameters keep working.
 */

const nullable = <T extends z.ZodType>(t: T) => t.nullable().optional();
const text = z.string();
const textPart = z.looseObject({ type: z.literal("text"), text });
const imagePart = z.looseObject({
  type: z.literal("image_url"),
  image_url: z.looseObject({ url: z.string().min(1), detail: z.enum(["auto", "low", "high"]).optional() }),
});
const audioPart = z.looseObject({
  type: z.literal("input_audio"),
  input_audio: z.looseObject({ data: z.string(), format: z.enum(["wav", "mp3"]) }),
});
const filePart = z.looseObject({
  type: z.literal("file"),
  file: z.looseObject({
    file_data: z.string().optional(),
    file_id: z.string().optional(),
    filename: z.string().optional(),
  }),
});
const refusalPart = z.looseObject({ type: z.literal("refusal"), refusal: z.string() });

const userPart = z.discriminatedUnion("type", [textPart, imagePart, audioPart, filePart]);
const toolCall = z.looseObject({
  id: z.string().min(1),
  type: z.literal("function"),
  function: z.looseObject({ name: z.string().min(1), arguments: z.string() }),
});

export const messageSchema = z.discriminatedUnion("role", [
  z.looseObject({
    role: z.literal("system"),
    content: z.union([text, z.array(textPart).min(1)]),
    name: z.string().optional(),
  }),
  z.looseObject({
    role: z.literal("developer"),
    content: z.union([text, z.array(textPart).min(1)]),
    name: z.string().optional(),
  }),
  z.looseObject({
    role: z.literal("user"),
    content: z.union([text, z.array(userPart).min(1)]),
    name: z.string().optional(),
  }),
  z.looseObject({
    role: z.literal("assistant"),
    content: nullable(z.union([text, z.array(z.discriminatedUnion("type", [textPart, refusalPart]))])),
    refusal: nullable(z.string()),
    tool_calls: z.array(toolCall).optional(),
    name: z.string().optional(),
  }),
  z.looseObject({
    role: z.literal("tool"),
    tool_call_id: z.string().min(1),
    content: z.union([text, z.array(textPart)]),
  }),
  z.looseObject({ role: z.literal("function"), name: z.string().min(1), content: nullable(text) }),
]);

const functionName = z
  .string()
  .regex(/^[a-zA-Z0-9_-]{1,64}$/, "must be 1-64 characters of a-z, A-Z, 0-9, _ or -");
const jsonObject = z.record(z.string(), z.unknown());

const toolSchema = z.discriminatedUnion("type", [
  z.looseObject({
    type: z.literal("function"),
    function: z.looseObject({
      name: functionName,
      description: z.string().optional(),
      parameters: jsonObject.optional(),
      strict: nullable(z.boolean()),
    }),
  }),
  z.looseObject({ type: z.literal("custom"), custom: z.looseObject({ name: functionName }) }),
]);

const namedFunction = z.looseObject({
  type: z.literal("function"),
  function: z.looseObject({ name: functionName }),
});
const toolChoiceSchema = z.union([
  z.enum(["none", "auto", "required"]),
  namedFunction,
  z.looseObject({
    type: z.literal("allowed_tools"),
    allowed_tools: z.looseObject({
      mode: z.enum(["auto", "required"]),
      tools: z.array(namedFunction).min(1),
    }),
  }),
  z.looseObject({ type: z.literal("custom"), custom: z.looseObject({ name: functionName }) }),
]);

const responseFormatSchema = z.discriminatedUnion("type", [
  z.looseObject({ type: z.literal("text") }),
  z.looseObject({ type: z.literal("json_object") }),
  z.looseObject({
    type: z.literal("json_schema"),
    json_schema: z.looseObject({
      name: functionName,
      description: z.string().optional(),
      schema: jsonObject.optional(),
      strict: nullable(z.boolean()),
    }),
  }),
]);

/** `provider/model`; the provider part is what routing keys on. */
export const modelName = z.string().regex(/^[a-z0-9][a-z0-9_-]*\/\S+$/, "must look like provider/model");

export const chatRequestSchema = z.looseObject({
  model: modelName.optional(),
  // May be empty (or absent) only with a `template`, which supplies messages; validate.ts checks that.
  messages: z.array(messageSchema).default([]),
  max_tokens: nullable(z.number().int().min(1)),
  max_completion_tokens: nullable(z.number().int().min(1)),
  temperature: nullable(z.number().min(0).max(2)),
  top_p: nullable(z.number().min(0).max(1)),
  n: nullable(z.number().int().min(1).max(128)),
  stop: nullable(z.union([z.string(), z.array(z.string()).max(4)])),
  seed: nullable(z.number().int()),
  user: z.string().optional(),
  logprobs: nullable(z.boolean()),
  top_logprobs: nullable(z.number().int().min(0).max(20)),
  parallel_tool_calls: z.boolean().optional(),
  tools: z.array(toolSchema).max(512).optional(),
  tool_choice: toolChoiceSchema.optional(),
  response_format: responseFormatSchema.optional(),
  stream: nullable(z.boolean()),
  stream_options: nullable(
    z.looseObject({ include_usage: z.boolean().optional(), include_obfuscation: z.boolean().optional() }),
  ),
  frequency_penalty: nullable(z.number().min(-2).max(2)),
  presence_penalty: nullable(z.number().min(-2).max(2)),
  logit_bias: nullable(
    z.record(z.string().regex(/^\d+$/, "keys are token ids"), z.number().min(-100).max(100)),
  ),
  metadata: nullable(z.record(z.string(), z.string())),
  // MeshAPI extensions: consumed by the gateway, never forwarded upstream.
  template: z.string().min(1).max(200).optional(),
  variables: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  session_id: z.string().min(1).max(256).optional(),
  models: z.array(modelName).min(1).max(10).optional(),
  transforms: z.array(z.string().min(1).max(64)).max(16).optional(),
  // Response cache: seconds to keep this answer (0: neither read nor write the cache); see docs/api.md.
  cache: z.strictObject({ ttl: z.number().int().min(0).max(MAX_CACHE_TTL_SECONDS) }).optional(),
});

export type ChatRequest = z.infer<typeof chatRequestSchema>;
export type ChatMessage = z.infer<typeof messageSchema>;

/** Fields that belong to MeshAPI, stripped before a body goes upstream. */
export const MESHAPI_EXTENSIONS = [
  "template",
  "variables",
  "session_id",
  "models",
  "transforms",
  "cache",
] as const;
