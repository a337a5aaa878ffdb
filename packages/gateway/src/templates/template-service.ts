import { ulid } from "ulid";
import { GatewayError } from "../errors/catalog.js";
import type { Store, TemplatePatch, TemplateRecord } from "../store/types.js";
import type { CreateTemplateBody, PatchTemplateBody } from "./template-schema.js";

/** A template as the API shows it. */
export type TemplateView = Omit<TemplateRecord, "ownerKeyId" | "createdAt" | "updatedAt"> & {
  object: "template";
  created_at: string;
  updated_at: string;
};

export function toTemplateView(t: TemplateRecord): TemplateView {
  return {
    id: t.id,
    object: "template",
    name: t.name,
    description: t.description,
    system: t.system,
    messages: t.messages,
    model: t.model,
    params: t.params,
    variables: t.variables,
    created_at: new Date(t.createdAt).toISOString(),
    updated_at: new Date(t.updatedAt).toISOString(),
  };
}

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e.code === "23505" || /UNIQUE constraint failed/.test(e.message ?? "");
}

const taken = (name: string) =>
  new GatewayError("conflict", `A template named "${name}" already exists.`, { param: "name" });

/** Template rules shared by the HTTP API and the CLI. Templates belong to the key that created them. */
export class TemplateService {
  constructor(
    private readonly store: Store,
    /** Called after every write, so a cache in this process forgets the template at once. */
    private readonly onChange: (ownerKeyId: string) => void = () => {},
  ) {}

  async create(owner: string, body: CreateTemplateBody): Promise<TemplateRecord> {
    if (await this.store.findTemplate(owner, body.name)) throw taken(body.name);
    try {
      const record = await this.store.createTemplate({
        id: `tpl_${ulid()}`,
        ownerKeyId: owner,
        name: body.name,
        description: body.description ?? null,
        system: body.system ?? null,
        messages: body.messages ?? [],
        model: body.model ?? null,
        params: body.params ?? {},
        variables: body.variables ?? {},
      });
      this.onChange(owner);
      return record;
    } catch (err) {
      if (isUniqueViolation(err)) throw taken(body.name);
      throw err;
    }
  }

  list(owner: string): Promise<TemplateRecord[]> {
    return this.store.listTemplates(owner);
  }

  async get(owner: string, idOrName: string): Promise<TemplateRecord> {
    const t = await this.store.findTemplate(owner, idOrName);
    if (!t) throw new GatewayError("not_found", `Template "${idOrName}" does not exist.`);
    return t;
  }

  async update(owner: string, idOrName: string, body: PatchTemplateBody): Promise<TemplateRecord> {
    const current = await this.get(owner, idOrName);
    if (body.name !== undefined && body.name !== current.name) {
      const other = await this.store.findTemplate(owner, body.name);
      if (other && other.id !== current.id) throw taken(body.name);
    }
    const patch: TemplatePatch = {};
    if (body.name !== undefined) patch.name = body.name;
    if (body.description !== undefined) patch.description = body.description;
    if (body.system !== undefined) patch.system = body.system;
    if (body.messages !== undefined) patch.messages = body.messages;
    if (body.model !== undefined) patch.model = body.model;
    if (body.params !== undefined) patch.params = body.params;
    if (body.variables !== undefined) patch.variables = body.variables;
    try {
      const updated = await this.store.updateTemplate(owner, current.id, patch);
      if (!updated) throw new GatewayError("not_found", `Template "${idOrName}" does not exist.`);
      this.onChange(owner);
      return updated;
    } catch (err) {
      if (isUniqueViolation(err)) throw taken(body.name ?? current.name);
      throw err;
    }
  }

  async remove(owner: string, idOrName: string): Promise<TemplateRecord> {
    const current = await this.get(owner, idOrName);
    await this.store.deleteTemplate(owner, current.id);
    this.onChange(owner);
    return current;
  }
}
