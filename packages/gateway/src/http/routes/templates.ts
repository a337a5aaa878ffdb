import type { FastifyInstance } from "fastify";
import type { z } from "zod";
import { GatewayError } from "../../errors/catalog.js";
import { issuesToDetails } from "../../pipeline/validate-body.js";
import { createTemplateBody, patchTemplateBody } from "../../templates/template-schema.js";
import { TemplateService, toTemplateView } from "../../templates/template-service.js";
import { callerKeyId, type RouteDeps } from "./route-deps.js";

function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (!result.success) {
    const details = issuesToDetails(result.error.issues);
    throw new GatewayError("validation_error", "Invalid template.", {
      details,
      param: details[0]?.loc.slice(1).join(".") || null,
    });
  }
  return result.data;
}

/** `/v1/templates`: the calling key's prompt templates. */
export function registerTemplateRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const service = new TemplateService(deps.store, deps.forgetTemplates);
  const id = (req: { params: unknown }) => (req.params as { id: string }).id;

  app.post("/v1/templates", async (req, reply) => {
    const record = await service.create(callerKeyId(req), parseBody(createTemplateBody, req.body));
    return reply.code(201).send(toTemplateView(record));
  });
  app.get("/v1/templates", async (req) => ({
    object: "list",
    data: (await service.list(callerKeyId(req))).map(toTemplateView),
  }));
  app.get("/v1/templates/:id", async (req) => toTemplateView(await service.get(callerKeyId(req), id(req))));
  app.patch("/v1/templates/:id", async (req) =>
    toTemplateView(await service.update(callerKeyId(req), id(req), parseBody(patchTemplateBody, req.body))),
  );
  app.delete("/v1/templates/:id", async (req) => {
    const removed = await service.remove(callerKeyId(req), id(req));
    return { id: removed.id, object: "template", deleted: true };
  });
}
