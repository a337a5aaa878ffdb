import type { FastifyInstance } from "fastify";
import { handleChat } from "../../pipeline/chat.js";
import type { ServerDeps } from "../server.js";
import { SseWriter } from "../sse.js";
import { serveExchange } from "./governed-route.js";

export function registerChatRoutes(app: FastifyInstance, deps: ServerDeps): void {
  app.post("/v1/chat/completions", (req, reply) =>
    serveExchange(deps, req, reply, (ex) =>
      handleChat(deps, {
        ...ex,
        // From here on the pipeline writes the raw response itself, with the headers set so far.
        sse: () => ex.hijack((res, headers) => new SseWriter(res, headers)),
      }),
    ),
  );
}
