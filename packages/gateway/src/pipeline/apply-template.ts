import { GatewayError } from "../errors/catalog.js";
import type { TemplateRecord } from "../store/types.js";
import {
  messageTexts,
  missingVariables,
  renderMessage,
  renderText,
  type Variables,
} from "../templates/render.js";
import type { ChatMessage, ChatRequest } from "./chat-request.js";

export type TemplateLookup = (ownerKeyId: string, idOrName: string) => Promise<TemplateRecord | undefined>;

/**
 * Expands `template` + `variables`: the template's system prompt and messages, rendered, go before the
 * request's own messages; the template's parameters fill what the request leaves unset; its model
 * applies when the request names none. Every missing variable is reported at once (422).
 */
export async function applyTemplate(
  lookup: TemplateLookup,
  ownerKeyId: string,
  request: ChatRequest,
): Promise<ChatRequest> {
  if (request.template === undefined) return request;
  const template = await lookup(ownerKeyId, request.template);
  if (!template) {
    throw new GatewayError("not_found", `Template "${request.template}" does not exist.`, {
      param: "template",
    });
  }
  return expandTemplate(template, request);
}

export function expandTemplate(template: TemplateRecord, request: ChatRequest): ChatRequest {
  const variables: Variables = { ...template.variables, ...request.variables };
  const texts = [
    ...(template.system === null ? [] : [template.system]),
    ...template.messages.flatMap(messageTexts),
  ];
  const missing = missingVariables(texts, variables);
  if (missing.length > 0) {
    throw new GatewayError(
      "validation_error",
      `Template "${template.name}" needs variables that were not given: ${missing.join(", ")}.`,
      {
        param: "variables",
        details: missing.map((name) => ({
          type: "missing_variable",
          loc: ["body", "variables", name],
          msg: `template variable "${name}" is required`,
        })),
      },
    );
  }
  const prefix: ChatMessage[] = [];
  if (template.system !== null)
    prefix.push({ role: "system", content: renderText(template.system, variables) });
  for (const m of template.messages) prefix.push(renderMessage(m as ChatMessage, variables));

  const merged: Record<string, unknown> = { ...request };
  for (const [param, value] of Object.entries(template.params)) {
    if (merged[param] === undefined) merged[param] = value;
  }
  merged.messages = [...prefix, ...request.messages];
  if (request.model === undefined && template.model !== null) merged.model = template.model;
  return merged as ChatRequest;
}
