import { describe, expect, it } from "vitest";
import { toGeminiSchema } from "../../../src/providers/gemini/schema.js";
import { thrown } from "./thrown.js";

const loc = ["tools", 0, "function", "parameters"];
const convert = (schema: unknown) => toGeminiSchema(schema, loc);

describe("toGeminiSchema (reference §4.4 item 7)", () => {
  it("drops JSON-Schema-only keywords and uppercases types", () => {
    expect(
      convert({
        $schema: "http://json-schema.org/draft-07/schema#",
        $id: "x",
        $comment: "c",
        type: "object",
        title: "Args",
        description: "d",
        additionalProperties: false,
        properties: {
          city: { type: "string", default: "Paris", examples: ["Rome"], minLength: 1, format: "uri" },
          when: { type: "string", format: "date-time" },
          n: { type: "integer", exclusiveMinimum: 0, multipleOf: 2, maximum: 9, format: "int32" },
        },
        required: ["city", "missing"],
        patternProperties: { "^x": {} },
      }),
    ).toEqual({
      type: "OBJECT",
      title: "Args",
      description: "d",
      properties: {
        city: { type: "STRING", minLength: 1 },
        when: { type: "STRING", format: "date-time" },
        n: { type: "INTEGER", maximum: 9, format: "int32" },
      },
      required: ["city"],
    });
  });

  it("turns nullable type arrays into type + nullable, and other unions into anyOf", () => {
    expect(
      convert({
        type: "object",
        properties: { a: { type: ["string", "null"] }, b: { type: ["string", "number"] } },
      }),
    ).toEqual({
      type: "OBJECT",
      properties: {
        a: { type: "STRING", nullable: true },
        b: { anyOf: [{ type: "STRING" }, { type: "NUMBER" }] },
      },
    });
  });

  it("folds a null branch of anyOf/oneOf into nullable and inlines a single remaining branch", () => {
    expect(
      convert({
        type: "object",
        properties: { a: { anyOf: [{ type: "string" }, { type: "null" }], description: "d" } },
      }),
    ).toEqual({
      type: "OBJECT",
      properties: { a: { description: "d", nullable: true, type: "STRING" } },
    });
    expect(
      convert({ type: "object", properties: { a: { oneOf: [{ type: "string" }, { type: "integer" }] } } }),
    ).toEqual({
      type: "OBJECT",
      properties: { a: { anyOf: [{ type: "STRING" }, { type: "INTEGER" }] } },
    });
  });

  it("makes const a one-value enum and enums strings", () => {
    expect(
      convert({
        type: "object",
        properties: { k: { const: "fixed" }, n: { type: "integer", enum: [1, 2, null] } },
      }),
    ).toEqual({
      type: "OBJECT",
      properties: {
        k: { type: "STRING", format: "enum", enum: ["fixed"] },
        n: { type: "STRING", format: "enum", enum: ["1", "2"], nullable: true },
      },
    });
  });

  it("inlines $ref into $defs and definitions, and single allOf", () => {
    expect(
      convert({
        type: "object",
        properties: {
          home: { $ref: "#/$defs/Address" },
          work: { allOf: [{ $ref: "#/definitions/Address" }], description: "office" },
          tags: { type: "array", items: { $ref: "#/$defs/Tag" } },
        },
        $defs: {
          Address: { type: "object", properties: { street: { type: "string" } } },
          Tag: { type: "string" },
        },
        definitions: { Address: { type: "object", properties: { street: { type: "string" } } } },
      }),
    ).toEqual({
      type: "OBJECT",
      properties: {
        home: { type: "OBJECT", properties: { street: { type: "STRING" } } },
        work: { type: "OBJECT", description: "office", properties: { street: { type: "STRING" } } },
        tags: { type: "ARRAY", items: { type: "STRING" } },
      },
    });
  });

  it("refuses recursive and non-local $refs with a 422", () => {
    const recursive = {
      type: "object",
      properties: { node: { $ref: "#/$defs/Node" } },
      $defs: { Node: { type: "object", properties: { next: { $ref: "#/$defs/Node" } } } },
    };
    const err = thrown(() => convert(recursive));
    expect(err.status).toBe(422);
    expect(err.details?.[0]).toMatchObject({ type: "unsupported_schema", loc: ["body", ...loc] });
    expect(thrown(() => convert({ $ref: "https://example.com/schema.json" })).message).toContain(
      "only local $refs",
    );
    expect(thrown(() => convert({ $ref: "#/$defs/Nope" })).message).toContain("points nowhere");
  });

  it("is undefined for an object without properties (no parameters)", () => {
    expect(convert({ type: "object", properties: {} })).toBeUndefined();
    expect(convert({ type: "object", additionalProperties: false })).toBeUndefined();
    expect(convert(undefined)).toBeUndefined();
  });

  it("infers OBJECT and ARRAY when only properties or items say so", () => {
    expect(convert({ properties: { a: { items: { type: "boolean" } } } })).toEqual({
      type: "OBJECT",
      properties: { a: { type: "ARRAY", items: { type: "BOOLEAN" } } },
    });
  });
});
