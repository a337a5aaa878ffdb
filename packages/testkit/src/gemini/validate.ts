/**
 * Checks the Gemini API enforces, with its wording (reference §3.1, §4.4 items 3, 5–7): roles,
 * function-call/response pairing, the OpenAPI-subset schema in function declarations, and
 * thought signatures on Gemini 3 function calls. Each returns the 400 message or null.
 */
import { isObject } from "../scenario.js";

type Obj = Record<string, unknown>;

const DATA_FIELDS = [
  "text",
  "inlineData",
  "fileData",
  "functionCall",
  "functionResponse",
  "executableCode",
  "codeExecutionResult",
];

/** Schema fields the API's `Schema` message knows; anything else is "Unknown name". */
const SCHEMA_FIELDS = new Set([
  "type",
  "format",
  "title",
  "description",
  "nullable",
  "enum",
  "maxItems",
  "minItems",
  "properties",
  "required",
  "minProperties",
  "maxProperties",
  "minLength",
  "maxLength",
  "pattern",
  "example",
  "anyOf",
  "propertyOrdering",
  "default",
  "items",
  "minimum",
  "maximum",
]);
const SCHEMA_TYPES = new Set([
  "TYPE_UNSPECIFIED",
  "STRING",
  "NUMBER",
  "INTEGER",
  "BOOLEAN",
  "ARRAY",
  "OBJECT",
  "NULL",
]);

/** Documented fallback for function calls whose signature was lost. */
export const SKIP_SIGNATURE = "skip_thought_signature_validator";

export function partsOf(content: Obj): Obj[] {
  return Array.isArray(content.parts) ? content.parts.filter(isObject) : [];
}

export function validateGenerateContent(body: Obj, model: string): string | null {
  const contents = body.contents;
  if (!Array.isArray(contents) || contents.length === 0) {
    return "* GenerateContentRequest.contents: contents is not specified\n";
  }
  for (let i = 0; i < contents.length; i++) {
    const content = contents[i];
    if (!isObject(content)) return `Invalid JSON payload received. Invalid value at 'contents[${i}]'`;
    if (content.role !== undefined && content.role !== "user" && content.role !== "model") {
      return "Please use a valid role: user, model.";
    }
    const parts = partsOf(content);
    if (parts.length === 0)
      return `* GenerateContentRequest.contents[${i}].parts: contents.parts must not be empty.\n`;
    for (let j = 0; j < parts.length; j++) {
      if (!DATA_FIELDS.some((f) => (parts[j] as Obj)[f] !== undefined)) {
        return `* GenerateContentRequest.contents[${i}].parts[${j}].data: required oneof field 'data' must have one initialized field\n`;
      }
    }
  }
  return (
    checkFunctionTurns(contents as Obj[]) ??
    checkDeclarations(body.tools) ??
    (model.startsWith("gemini-3") ? checkSignatures(contents as Obj[]) : null)
  );
}

function checkFunctionTurns(contents: Obj[]): string | null {
  for (let i = 0; i < contents.length; i++) {
    const parts = partsOf(contents[i] as Obj);
    const responses = parts.filter((p) => isObject(p.functionResponse));
    if (responses.length === 0) continue;
    const previous = i > 0 ? (contents[i - 1] as Obj) : null;
    const calls =
      previous !== null && previous.role === "model"
        ? partsOf(previous).filter((p) => isObject(p.functionCall))
        : [];
    if (calls.length === 0) {
      return "Please ensure that function response turn comes immediately after a function call turn.";
    }
    if (calls.length !== responses.length) {
      return "Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.";
    }
    const callNames = calls.map((p) => (p.functionCall as Obj).name).sort();
    const responseNames = responses.map((p) => (p.functionResponse as Obj).name).sort();
    if (callNames.some((name, k) => name !== responseNames[k])) {
      return "Please ensure that the function response names match the function call names of the function call turn.";
    }
  }
  return null;
}

function checkDeclarations(tools: unknown): string | null {
  if (tools === undefined) return null;
  if (!Array.isArray(tools)) return "Invalid JSON payload received. Invalid value at 'tools'";
  for (let t = 0; t < tools.length; t++) {
    const tool = tools[t];
    if (!isObject(tool) || !Array.isArray(tool.functionDeclarations)) continue;
    for (let f = 0; f < tool.functionDeclarations.length; f++) {
      const declaration = tool.functionDeclarations[f];
      if (!isObject(declaration)) continue;
      const where = `tools[${t}].function_declarations[${f}]`;
      if (
        typeof declaration.name !== "string" ||
        !/^[a-zA-Z_][a-zA-Z0-9_.:-]{0,127}$/.test(declaration.name)
      ) {
        return `* GenerateContentRequest.${where}.name: Invalid function name. Must start with a letter or an underscore. Must be alphameric (a-z, A-Z, 0-9), underscores (_), dots (.), colons (:), or dashes (-), with a maximum length of 128.\n`;
      }
      if (declaration.parameters !== undefined && declaration.parametersJsonSchema !== undefined) {
        return `* GenerateContentRequest.${where}: parameters and parameters_json_schema are mutually exclusive.\n`;
      }
      if (declaration.parameters !== undefined) {
        const problem = checkSchema(declaration.parameters, `${where}.parameters`);
        if (problem !== null) return problem;
      }
    }
  }
  return null;
}

/** The API rejects JSON-Schema-only keywords (`$schema`, `additionalProperties`, `$ref`, `const`…). */
function checkSchema(schema: unknown, path: string): string | null {
  if (!isObject(schema)) return `Invalid JSON payload received. Invalid value at '${path}'`;
  for (const key of Object.keys(schema)) {
    if (!SCHEMA_FIELDS.has(key)) {
      return `Invalid JSON payload received. Unknown name "${key}" at '${path}': Cannot find field.`;
    }
  }
  if (
    schema.type !== undefined &&
    (typeof schema.type !== "string" || !SCHEMA_TYPES.has(schema.type.toUpperCase()))
  ) {
    return `Invalid JSON payload received. Invalid value at '${path}.type' (type.googleapis.com/google.ai.generativelanguage.v1beta.Type), ${JSON.stringify(schema.type)}`;
  }
  if (
    schema.enum !== undefined &&
    (!Array.isArray(schema.enum) || schema.enum.some((v) => typeof v !== "string"))
  ) {
    return `Invalid JSON payload received. Invalid value at '${path}.enum'`;
  }
  if (isObject(schema.properties)) {
    let index = 0;
    for (const value of Object.values(schema.properties)) {
      const problem = checkSchema(value, `${path}.properties[${index}].value`);
      if (problem !== null) return problem;
      index++;
    }
  }
  if (schema.items !== undefined) {
    const problem = checkSchema(schema.items, `${path}.items`);
    if (problem !== null) return problem;
  }
  if (Array.isArray(schema.anyOf)) {
    for (let i = 0; i < schema.anyOf.length; i++) {
      const problem = checkSchema(schema.anyOf[i], `${path}.any_of[${i}]`);
      if (problem !== null) return problem;
    }
  }
  return null;
}

/**
 * Gemini 3: in the current turn (since the last user text), the first functionCall part of every
 * model content must carry its `thoughtSignature` (or the documented skip value).
 */
function checkSignatures(contents: Obj[]): string | null {
  let turnStart = 0;
  for (let i = contents.length - 1; i >= 0; i--) {
    const content = contents[i] as Obj;
    if (content.role !== "model" && partsOf(content).some((p) => typeof p.text === "string")) {
      turnStart = i;
      break;
    }
  }
  for (let i = turnStart; i < contents.length; i++) {
    const content = contents[i] as Obj;
    if (content.role !== "model") continue;
    const first = partsOf(content).find((p) => isObject(p.functionCall));
    if (first === undefined) continue;
    const signature = first.thoughtSignature;
    if (typeof signature !== "string" || signature === "") {
      const name = String((first.functionCall as Obj).name);
      return `Function call \`${name}\` in the ${i + 1}. content block is missing a \`thought_signature\`. Learn more: https://ai.google.dev/gemini-api/docs/thought-signatures`;
    }
  }
  return null;
}
