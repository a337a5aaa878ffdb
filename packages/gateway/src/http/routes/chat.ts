import type { FastifyInstance } from "fastify";
import { handleChat } from "../../pipeline/chat.js";
import type { ServerDeps } from "../server.js";
import { SseWriter } from "../sse.js";
import { type RouteResult, type ServedExchange, serveExchange } from "./governed-route.js";

/** The chat pipeline as a served exchange: the Fastify route and the chat lane (http/chat-lane.ts) share it. */
export function chatExchange(deps: ServerDeps): (ex: ServedExchange) => Promise<RouteResult> {
  return (ex) =>
    handleChat(deps, {
      ...ex,
      // From here on the pipeline writes the raw response itself, with the headers set so far.
      sse: () => ex.hijack((res, headers) => new SseWriter(res, headers)),
    });
}

export function registerChatRoutes(app: FastifyInstance, deps: ServerDeps): void {
  const pipeline = chatExchange(deps);
  app.post("/v1/chat/completions", (req, reply) => serveExchange(deps, req, reply, pipeline));
}
