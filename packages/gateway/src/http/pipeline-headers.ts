import type { FastifyReply } from "fastify";

/**
 * The `x-ratelimit-*` and `x-meshapi-*` headers the pipeline set on the reply so far: a hijacked
 * stream writes its own head, so its writer is handed these.
 */
export function pipelineHeadersOf(reply: FastifyReply): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(reply.getHeaders())) {
    if ((name.startsWith("x-ratelimit-") || name.startsWith("x-meshapi-")) && typeof value === "string")
      out[name] = value;
  }
  return out;
}
