import type { FastifyInstance } from "fastify";
import { handleChat } from "../../pipeline/chat.js";
import { Cancellation } from "../../providers/cancellation.js";
import { requestedRetries } from "../../routing/retry-policy.js";
import { pipelineHeadersOf } from "../pipeline-headers.js";
import type { ServerDeps } from "../server.js";
import { SseWriter } from "../sse.js";

export function registerChatRoutes(app: FastifyInstance, deps: ServerDeps): void {
  app.post("/v1/chat/completions", async (req, reply) => {
    const key = req.apiKey;
    if (!key) throw new Error("auth hook did not run");
    const retries = requestedRetries(req.headers);
    // A client that goes away before the response ended cancels the upstream call at once.
    const controller = new Cancellation();
    const onClose = () => {
      if (!reply.raw.writableFinished) controller.abort();
    };
    reply.raw.once("close", onClose);
    deps.inflight.add(controller);
    try {
      const result = await handleChat(deps, {
        requestId: req.id,
        key,
        body: req.body,
        signal: controller,
        startedAt: req.startedAt,
        sse: () => {
          // From here on the pipeline writes the raw response itself, with the headers set so far.
          reply.hijack();
          return new SseWriter(reply.raw, { ...pipelineHeadersOf(reply), "x-request-id": req.id });
        },
        setHeader: (name, value) => {
          reply.header(name, value);
        },
        retries,
      });
      if (result.kind === "json") return reply.send(result.body);
      if (result.kind === "aborted" && !reply.sent) {
        reply.hijack();
        reply.raw.destroy();
      }
      return reply;
    } finally {
      deps.inflight.delete(controller);
      reply.raw.off("close", onClose);
    }
  });
}
