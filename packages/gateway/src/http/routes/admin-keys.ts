import { timingSafeEqual } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { GatewayError } from "../../errors/catalog.js";
import { KeyService, toKeyView } from "../../keys/key-service.js";
import { issuesToDetails } from "../../pipeline/validate.js";
import type { ServerDeps } from "../server.js";

const createBody = z.strictObject({ name: z.string().trim().min(1).max(200) });
const updateBody = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  status: z.enum(["active", "suspended", "revoked"]).optional(),
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

function tokenMatches(header: string | undefined, token: string): boolean {
  const presented = /^Bearer\s+(\S+)$/i.exec(header ?? "")?.[1];
  if (!presented) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** `/admin/keys`: operator key management behind MESHAPI_ADMIN_TOKEN; absent entirely when it is unset. */
export function registerAdminKeyRoutes(app: FastifyInstance, deps: ServerDeps): void {
  const adminToken = deps.config.adminToken;
  const keys = new KeyService(deps.store);

  app.register(
    async (admin) => {
      admin.addHook("onRequest", async (req) => {
        if (!adminToken)
          throw new GatewayError("not_found", `No route for ${req.method} ${req.url.split("?")[0]}.`);
        if (!tokenMatches(req.headers.authorization, adminToken)) {
          throw new GatewayError(
            "unauthorized",
            "Admin routes need Authorization: Bearer $MESHAPI_ADMIN_TOKEN.",
          );
        }
      });

      admin.post("/keys", async (req, reply) => {
        const { name } = parse(createBody, req.body);
        const { record, key } = await keys.create(name);
        deps.keys.remember(record);
        return reply.code(201).send({ ...toKeyView(record), key });
      });
      admin.get("/keys", async () => ({ object: "list", data: (await keys.list()).map(toKeyView) }));
      admin.get("/keys/:id", async (req) => toKeyView(await keys.get((req.params as { id: string }).id)));
      admin.patch("/keys/:id", async (req) => {
        const record = await keys.update((req.params as { id: string }).id, parse(updateBody, req.body));
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
