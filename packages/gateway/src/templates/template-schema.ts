import { z } from "zod";
import { chatRequestSchema, messageSchema, modelName } from "../pipeline/chat-request.js";

const variableValue = z.union([z.string(), z.number(), z.boolean()]);
const name = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^[^\s/][^/]*$/, "must not start with whitespace or contain /");

/** Chat parameters a template may preset; the conversation, routing and MeshAPI's own fields are not among them. */
const RESERVED_PARAMS = ["messages", "model", "models", "template", "variables", "stream", "stream_options"];
const params = z.record(z.string(), z.unknown()).superRefine((value, ctx) => {
  for (const key of Object.keys(value)) {
    if (RESERVED_PARAMS.includes(key)) {
      ctx.addIssue({ code: "custom", path: [key], message: `"${key}" cannot be a template parameter` });
    }
  }
  // The parameters must be valid chat parameters, checked by the chat schema itself.
  const probe = chatRequestSchema.safeParse({ messages: [{ role: "user", content: "x" }], ...value });
  if (!probe.success) {
    for (const issue of probe.error.issues) ctx.addIssue({ ...issue, path: issue.path } as never);
  }
});

export const createTemplateBody = z.strictObject({
  name,
  description: z.string().max(2_000).nullable().optional(),
  system: z.string().max(200_000).nullable().optional(),
  messages: z.array(messageSchema).max(256).optional(),
  model: modelName.nullable().optional(),
  params: params.optional(),
  /** Default values of variables. */
  variables: z
    .record(z.string().regex(/^[A-Za-z0-9_]+$/, "names are A-Z, a-z, 0-9 and _"), variableValue)
    .optional(),
});
export type CreateTemplateBody = z.infer<typeof createTemplateBody>;

export const patchTemplateBody = createTemplateBody.partial();
export type PatchTemplateBody = z.infer<typeof patchTemplateBody>;
