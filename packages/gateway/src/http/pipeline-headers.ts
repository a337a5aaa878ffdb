import type { FastifyReply } from "fastify";

/**
 * The `x-ratelimit-*` and `x-meshapi-*` headers the pipeline set on the reply so far: a hijacked
 * stream writes its own head, so its writer is handed these.
 */
export function pipelineHeadersOf(reply: FastifyReply): Record<string, string> {
  return pipelineHeadersIn(reply.getHeaders());
}

/** The same, from a plain header record (the chat lane keeps its headers in one). */
export function pipelineHeadersIn(headers: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
    if ((name.startsWith("x-ratelimit-") || name.startsWith("x-meshapi-")) && typeof value === "string")
      out[name] = value;
  }
  return out;
}
