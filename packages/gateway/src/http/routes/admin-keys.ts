import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { GatewayError } from "../../errors/catalog.js";
import { cacheFields, fromCacheFields } from "../../keys/key-cache-settings.js";
import { fromLimitFields, limitFields } from "../../keys/key-limits.js";
import { KeyService, toKeyView } from "../../keys/key-service.js";
import { issuesToDetails } from "../../pipeline/validate-body.js";
import { MAX_MODEL_PATTERNS, patternProblem } from "../../routing/model-access.js";
import type { ServerDeps } from "../server.js";

import { guardAdmin } from "./admin-auth.js";

/** `allowed_models`: model patterns (see routing/model-access.ts), null for every model. */
const allowedModels = z
  .array(
    z.string().superRefine((p, ctx) => {
      const problem = patternProblem(p);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }),
  )
  .max(MAX_MODEL_PATTERNS)
  .nullable()
  .optional();
const createBody = z.strictObject({
  name: z.string().trim().min(1).max(200),
  ...limitFields,
  allowed_models: allowedModels,
  ...cacheFields,
});
const updateBody = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  status: z.enum(["active", "suspended", "revoked"]).optional(),
  ...limitFields,
  allowed_models: allowedModels,
  ...cacheFields,
});

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (!result.success) {
    throw new GatewayError("validation_error", "Invalid request body.", {
      details: issuesToDetails(result.error.issues),
    });
  }
  return result.data;
}

/** `/admin/keys`: operator key management behind MESHAPI_ADMIN_TOKEN; absent entirely when it is unset. */
export function registerAdminKeyRoutes(app: FastifyInstance, deps: ServerDeps): void {
  const adminToken = deps.config.adminToken;
  const keys = new KeyService(deps.store);

  app.register(
    async (admin) => {
      guardAdmin(admin, adminToken);

      admin.post("/keys", async (req, reply) => {
        const { name, allowed_models, cache_ttl_seconds, cache_namespace, ...limits } = parse(
          createBody,
          req.body,
        );
        const { record, key } = await keys.create(name, fromLimitFields(limits), {
          allowedModels: allowed_models ?? null,
          cache: fromCacheFields({ cache_ttl_seconds, cache_namespace }),
        });
        deps.keys.remember(record);
        return reply.code(201).send({ ...toKeyView(record), key });
      });
      admin.get("/keys", async () => ({ object: "list", data: (await keys.list()).map(toKeyView) }));
      admin.get("/keys/:id", async (req) => toKeyView(await keys.get((req.params as { id: string }).id)));
      admin.patch("/keys/:id", async (req) => {
        const { name, status, allowed_models, cache_ttl_seconds, cache_namespace, ...limits } = parse(
          updateBody,
          req.body,
        );
        const record = await keys.update((req.params as { id: string }).id, {
          ...(name === undefined ? {} : { name }),
          ...(status === undefined ? {} : { status }),
          limits: fromLimitFields(limits),
          ...(allowed_models === undefined ? {} : { allowedModels: allowed_models }),
          cache: fromCacheFields({ cache_ttl_seconds, cache_namespace }),
        });
        deps.keys.remember(record);
        return toKeyView(record);
      });
      admin.delete("/keys/:id", async (req) => {
        const id = (req.params as { id: string }).id;
        const record = await keys.get(id);
        await keys.remove(id);
        deps.keys.remember({ ...record, status: "revoked", deletedAt: Date.now(), updatedAt: Date.now() });
        return { id, deleted: true };
      });
    },
    { prefix: "/admin" },
  );
}
