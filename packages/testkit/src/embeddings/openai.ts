/** `POST /v1/embeddings` in OpenAI's wire format (reference: the Embeddings API). */
import type { Exchange } from "../exchange.js";
import { sendOpenAIError } from "../openai/errors.js";
import { isObject } from "../scenario.js";
import { countTokens, embedText, toBase64Floats } from "./vectors.js";

/** Native sizes of the models the simulator knows; `dimensions` may shorten the v3 ones. */
const DIMENSIONS: Record<string, number> = {
  "text-embedding-3-small": 1536,
  "text-embedding-3-large": 3072,
  "text-embedding-ada-002": 1536,
};
const DEFAULT_DIMENSIONS = 1024;

type Input = { text: string; tokens: number };

/** The inputs as texts; token-id arrays are embedded by their ids' text. `null` = invalid. */
function readInputs(input: unknown): Input[] | null {
  const one = (v: unknown): Input | null => {
    if (typeof v === "string") return v === "" ? null : { text: v, tokens: countTokens(v) };
    if (Array.isArray(v) && v.length > 0 && v.every((n) => Number.isInteger(n) && n >= 0))
      return { text: v.join(" "), tokens: v.length };
    return null;
  };
  if (typeof input === "string") {
    const single = one(input);
    return single ? [single] : null;
  }
  if (!Array.isArray(input) || input.length === 0 || input.length > 2048) return null;
  // An array of numbers is one tokenised input; otherwise each element is an input.
  if (input.every((n) => typeof n === "number")) {
    const single = one(input);
    return single ? [single] : null;
  }
  const all = input.map(one);
  return all.every((x): x is Input => x !== null) ? all : null;
}

export function handleEmbeddings(ex: Exchange): void {
  const body = ex.body;
  if (!isObject(body)) {
    sendOpenAIError(ex, 400, "We could not parse the JSON body of your request.");
    return;
  }
  const model = body.model;
  if (typeof model !== "string" || model === "") {
    sendOpenAIError(ex, 400, "you must provide a model parameter", undefined, { param: null });
    return;
  }
  if (model.includes("unknown")) {
    sendOpenAIError(
      ex,
      404,
      `The model \`${model}\` does not exist or you do not have access to it.`,
      undefined,
      {
        code: "model_not_found",
      },
    );
    return;
  }
  const inputs = readInputs(body.input);
  if (inputs === null) {
    sendOpenAIError(
      ex,
      400,
      "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.",
      undefined,
      {
        param: "input",
      },
    );
    return;
  }
  const format = body.encoding_format ?? "float";
  if (format !== "float" && format !== "base64") {
    sendOpenAIError(ex, 400, `Invalid value for 'encoding_format': '${String(format)}'.`, undefined, {
      param: "encoding_format",
    });
    return;
  }
  const native = DIMENSIONS[model] ?? DEFAULT_DIMENSIONS;
  let dims = native;
  if (body.dimensions !== undefined) {
    const d = body.dimensions;
    if (
      model === "text-embedding-ada-002" ||
      !Number.isInteger(d) ||
      (d as number) < 1 ||
      (d as number) > native
    ) {
      sendOpenAIError(
        ex,
        400,
        `This model does not support specifying dimensions of ${String(d)}.`,
        undefined,
        {
          param: "dimensions",
        },
      );
      return;
    }
    dims = d as number;
  }
  const data = inputs.map((input, index) => {
    const vector = embedText(input.text, dims);
    return { object: "embedding", index, embedding: format === "base64" ? toBase64Floats(vector) : vector };
  });
  const tokens = inputs.reduce((s, i) => s + i.tokens, 0);
  ex.json(200, {
    object: "list",
    data,
    model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  });
}
