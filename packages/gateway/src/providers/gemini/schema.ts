import { type Loc, untranslatable } from "../translate/invalid.js";

type Obj = Record<string, unknown>;

const VENDOR = "Gemini";

/** Keywords of Gemini's `Schema` (an OpenAPI 3.0 subset, reference §3.1) kept as they are. */
const KEPT = new Set([
  "description",
  "title",
  "nullable",
  "minItems",
  "maxItems",
  "minLength",
  "maxLength",
  "minimum",
  "maximum",
  "minProperties",
  "maxProperties",
  "pattern",
  "example",
  "propertyOrdering",
]);
/** `format` values the API accepts; others (uri, email…) are refused, so they are dropped. */
const FORMATS = new Set(["date-time", "enum", "float", "double", "int32", "int64"]);
const TYPES = new Set(["string", "number", "integer", "boolean", "array", "object", "null"]);
/** How deep `$ref`s may be inlined before a schema counts as recursive. */
const MAX_REF_DEPTH = 16;

/**
 * Rewrites an OpenAI (JSON Schema) tool or response schema into the subset Gemini accepts (reference
 * §4.4 item 7): `$ref`/`$defs` inlined, `type: [T, "null"]` → `type` + `nullable`, `const` → a
 * one-value `enum`, enums as strings, `oneOf` → `anyOf`, single `allOf` inlined, and every other
 * keyword (`$schema`, `additionalProperties`, `default`, `examples`…) dropped. Recursive schemas have
 * no Gemini form and are a 422. Returns undefined for an object schema without properties, which
 * means "no parameters".
 *
 * @example toGeminiSchema({ type: ["string", "null"] }, loc) // → { type: "STRING", nullable: true }
 */
export function toGeminiSchema(schema: unknown, loc: Loc): Obj | undefined {
  if (!isObj(schema)) return undefined;
  const root = schema;
  const out = convert(schema, { root, loc, refs: [] });
  if (out.type === "OBJECT" && !isObj(out.properties) && out.anyOf === undefined) return undefined;
  return out;
}

interface Context {
  root: Obj;
  loc: Loc;
  /** `$ref`s being inlined on the way down, to spot recursion. */
  refs: string[];
}

function convert(schema: Obj, ctx: Context): Obj {
  if (typeof schema.$ref === "string") {
    // Keywords beside a $ref (a description, say) refine the target, so they win over it.
    const { $ref: ref, ...siblings } = schema;
    return convert({ ...resolveRef(ref, ctx), ...siblings }, { ...ctx, refs: [...ctx.refs, ref] });
  }
  if (Array.isArray(schema.allOf) && schema.allOf.length === 1 && isObj(schema.allOf[0])) {
    const { allOf: _drop, ...rest } = schema;
    return convert({ ...(schema.allOf[0] as Obj), ...rest }, ctx);
  }
  const out: Obj = {};
  for (const key of Object.keys(schema)) if (KEPT.has(key)) out[key] = schema[key];
  if (typeof schema.format === "string" && FORMATS.has(schema.format)) out.format = schema.format;

  const types = typeList(schema.type);
  if (types.includes("null") && types.length > 1) out.nullable = true;
  const nonNull = types.filter((t) => t !== "null");
  if (nonNull.length === 1) out.type = (nonNull[0] as string).toUpperCase();
  else if (nonNull.length > 1) out.anyOf = nonNull.map((t) => ({ type: t.toUpperCase() }));
  else if (types.length === 1) out.type = "NULL";

  const enumValues =
    schema.const !== undefined ? [schema.const] : Array.isArray(schema.enum) ? schema.enum : undefined;
  if (enumValues !== undefined) {
    const values = enumValues.filter((v) => v !== null);
    if (values.length < enumValues.length) out.nullable = true;
    out.enum = values.map((v) => (typeof v === "string" ? v : JSON.stringify(v)));
    // Gemini takes enums on strings only; a number enum comes back as its string.
    out.type = "STRING";
    if (out.format === undefined) out.format = "enum";
  }

  if (isObj(schema.properties)) {
    const properties: Obj = {};
    for (const [name, value] of Object.entries(schema.properties)) {
      if (isObj(value)) properties[name] = convert(value, ctx);
    }
    if (Object.keys(properties).length > 0) out.properties = properties;
    if (Array.isArray(schema.required)) {
      const required = schema.required.filter((r): r is string => typeof r === "string" && r in properties);
      if (required.length > 0) out.required = required;
    }
    if (out.type === undefined && out.anyOf === undefined) out.type = "OBJECT";
  }
  if (isObj(schema.items)) {
    out.items = convert(schema.items, ctx);
    if (out.type === undefined) out.type = "ARRAY";
  }
  const alternatives = Array.isArray(schema.anyOf)
    ? schema.anyOf
    : Array.isArray(schema.oneOf)
      ? schema.oneOf
      : undefined;
  if (alternatives !== undefined)
    mergeAlternatives(
      out,
      alternatives.filter(isObj).map((a) => convert(a, ctx)),
    );
  return out;
}

/** `anyOf` with a `{type: NULL}` branch is `nullable`; a single remaining branch is inlined. */
function mergeAlternatives(out: Obj, branches: Obj[]): void {
  const nonNull = branches.filter((b) => b.type !== "NULL");
  if (nonNull.length < branches.length) out.nullable = true;
  if (nonNull.length === 1) {
    for (const [key, value] of Object.entries(nonNull[0] as Obj)) if (!(key in out)) out[key] = value;
  } else if (nonNull.length > 1) out.anyOf = nonNull;
}

function typeList(type: unknown): string[] {
  const list = Array.isArray(type) ? type : type === undefined ? [] : [type];
  return list
    .filter((t): t is string => typeof t === "string" && TYPES.has(t.toLowerCase()))
    .map((t) => t.toLowerCase());
}

/** Local references only (`#/$defs/X`, `#/definitions/X`, any JSON pointer into the same document). */
function resolveRef(ref: string, ctx: Context): Obj {
  if (ctx.refs.includes(ref) || ctx.refs.length >= MAX_REF_DEPTH) {
    throw untranslatable(
      VENDOR,
      ctx.loc,
      "unsupported_schema",
      `recursive schemas ($ref "${ref}") have no Gemini form`,
    );
  }
  if (!ref.startsWith("#")) {
    throw untranslatable(
      VENDOR,
      ctx.loc,
      "unsupported_schema",
      `only local $refs can be inlined, not "${ref}"`,
    );
  }
  let node: unknown = ctx.root;
  for (const raw of ref
    .slice(1)
    .split("/")
    .filter((s) => s !== "")) {
    const key = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    node = isObj(node) ? node[key] : undefined;
  }
  if (!isObj(node))
    throw untranslatable(VENDOR, ctx.loc, "unsupported_schema", `$ref "${ref}" points nowhere`);
  return node;
}

function isObj(value: unknown): value is Obj {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
