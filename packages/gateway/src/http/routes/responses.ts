import type { FastifyInstance } from "fastify";
import { handleResponses } from "../../pipeline/responses.js";
import type { ServerDeps } from "../server.js";
import { serveGoverned } from "./governed-route.js";

/** `POST /v1/responses`: OpenAI's Responses API (text, function tools, streaming), on every provider. */
export function registerResponsesRoutes(app: FastifyInstance, deps: ServerDeps): void {
  app.post("/v1/responses", (req, reply) =>
    serveGoverned(deps, req, reply, (ex) => handleResponses(deps, ex)),
  );
}
