import type { FastifyInstance } from "fastify";
import { handleEmbeddings } from "../../pipeline/embeddings.js";
import type { ServerDeps } from "../server.js";
import { serveGoverned } from "./governed-route.js";

/** `POST /v1/embeddings`: OpenAI's Embeddings API, to OpenAI-compatible vendors and Gemini. */
export function registerEmbeddingRoutes(app: FastifyInstance, deps: ServerDeps): void {
  app.post("/v1/embeddings", (req, reply) =>
    serveGoverned(deps, req, reply, (ex) => handleEmbeddings(deps, ex)),
  );
}
