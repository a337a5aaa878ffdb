/** The Responses simulator driven by the official `openai` SDK: objects parse, streams assemble. */
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CAPITAL_ANSWER, type Simulator } from "../src/index.js";
import { openaiClient, withSimulator } from "./helpers.js";

let sim: Simulator;
let client: OpenAI;
beforeAll(async () => {
  sim = await withSimulator();
  client = openaiClient(sim);
});
afterAll(() => sim.close());

const weather: OpenAI.Responses.FunctionTool = {
  type: "function",
  name: "get_weather",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  strict: false,
};

describe("POST /v1/responses", () => {
  it("answers text with usage, and the same text as a stream the SDK assembles", async () => {
    const res = await client.responses.create({
      model: "gpt-4o-mini",
      input: "What is the capital of France?",
    });
    expect(res.output_text).toBe(CAPITAL_ANSWER);
    expect(res.status).toBe("completed");
    expect(res.usage?.total_tokens).toBe((res.usage?.input_tokens ?? 0) + (res.usage?.output_tokens ?? 0));
    const stream = client.responses.stream({ model: "gpt-4o-mini", input: "What is the capital of France?" });
    const seqs: number[] = [];
    stream.on("event", (e) => seqs.push(e.sequence_number));
    const final = await stream.finalResponse();
    expect(final.output_text).toBe(CAPITAL_ANSWER);
    expect(seqs).toEqual(seqs.map((_, i) => i));
  });

  it("calls function tools and reads function_call_output back", async () => {
    const res = await client.responses.create({
      model: "gpt-4o-mini",
      tools: [weather],
      input: "Weather in Paris?",
    });
    const call = res.output[0] as OpenAI.Responses.ResponseFunctionToolCall;
    expect(call).toMatchObject({ type: "function_call", name: "get_weather", arguments: '{"city":"Paris"}' });
    const streamed = await client.responses
      .stream({ model: "gpt-4o-mini", tools: [weather], input: "Weather in Paris?" })
      .finalResponse();
    expect(streamed.output[0]).toMatchObject({ type: "function_call", arguments: '{"city":"Paris"}' });
    const next = await client.responses.create({
      model: "gpt-4o-mini",
      input: [
        { role: "user", content: "Weather in Paris?" },
        { type: "function_call", call_id: call.call_id, name: call.name, arguments: call.arguments },
        { type: "function_call_output", call_id: call.call_id, output: "sunny" },
      ],
    });
    expect(next.output_text).toBe("Tool results: sunny");
  });

  it("is incomplete when max_output_tokens cuts the answer, and refuses bad input", async () => {
    const res = await client.responses.create({
      model: "gpt-4o-mini",
      input: "[[sim:words=9]]",
      max_output_tokens: 3,
    });
    expect(res.status).toBe("incomplete");
    expect(res.output_text).toBe("w1 w2 w3");
    const err = await client.responses.create({ model: "gpt-4o-mini", input: [] }).catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
  });
});
