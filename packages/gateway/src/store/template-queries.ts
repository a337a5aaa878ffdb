import type { Kysely, Selectable } from "kysely";
import type { Database } from "./schema.js";
import type { NewTemplate, TemplatePatch, TemplateRecord } from "./types.js";

type Row = Selectable<Database["templates"]>;

function toTemplate(row: Row): TemplateRecord {
  return {
    id: row.id,
    ownerKeyId: row.owner_key_id,
    name: row.name,
    description: row.description,
    system: row.system,
    messages: JSON.parse(row.messages) as unknown[],
    model: row.model,
    params: JSON.parse(row.params) as Record<string, unknown>,
    variables: JSON.parse(row.variables) as TemplateRecord["variables"],
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  };
}

/** Template rows; JSON fields are stored as text so both dialects share one schema. */
export class TemplateQueries {
  constructor(private readonly db: Kysely<Database>) {}

  async create(t: NewTemplate): Promise<TemplateRecord> {
    const now = Date.now();
    const row: Row = {
      id: t.id,
      owner_key_id: t.ownerKeyId,
      name: t.name,
      description: t.description,
      system: t.system,
      messages: JSON.stringify(t.messages),
      model: t.model,
      params: JSON.stringify(t.params),
      variables: JSON.stringify(t.variables),
      created_at: now,
      updated_at: now,
    };
    await this.db.insertInto("templates").values(row).execute();
    return toTemplate(row);
  }

  async list(owner: string): Promise<TemplateRecord[]> {
    const rows = await this.db
      .selectFrom("templates")
      .selectAll()
      .where("owner_key_id", "=", owner)
      .orderBy("name")
      .execute();
    return rows.map(toTemplate);
  }

  async find(owner: string, idOrName: string): Promise<TemplateRecord | undefined> {
    const rows = await this.db
      .selectFrom("templates")
      .selectAll()
      .where("owner_key_id", "=", owner)
      .where((eb) => eb.or([eb("id", "=", idOrName), eb("name", "=", idOrName)]))
      .execute();
    // An id match wins over a template that happens to be named like another's id.
    const row = rows.find((r) => r.id === idOrName) ?? rows[0];
    return row && toTemplate(row);
  }

  async update(owner: string, id: string, patch: TemplatePatch): Promise<TemplateRecord | undefined> {
    const values: Partial<Row> = { updated_at: Date.now() };
    if (patch.name !== undefined) values.name = patch.name;
    if (patch.description !== undefined) values.description = patch.description;
    if (patch.system !== undefined) values.system = patch.system;
    if (patch.model !== undefined) values.model = patch.model;
    if (patch.messages !== undefined) values.messages = JSON.stringify(patch.messages);
    if (patch.params !== undefined) values.params = JSON.stringify(patch.params);
    if (patch.variables !== undefined) values.variables = JSON.stringify(patch.variables);
    const result = await this.db
      .updateTable("templates")
      .set(values)
      .where("owner_key_id", "=", owner)
      .where("id", "=", id)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return undefined;
    return this.find(owner, id);
  }

  async remove(owner: string, id: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom("templates")
      .where("owner_key_id", "=", owner)
      .where("id", "=", id)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
