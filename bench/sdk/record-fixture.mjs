// Records bench/sdk/fixtures/chat-stream.sse: the raw SSE body of one streaming chat completion,
// as the real gateway sends it (simulator upstream, 300-word reply, usage tail). Run after
// `npm run build`:  node bench/sdk/record-fixture.mjs
import { writeFile } from "node:fs/promises";
import { startStack } from "../../packages/testkit/dist/index.js";

const OUT = new URL("./fixtures/chat-stream.sse", import.meta.url);

const stack = await startStack();
try {
  const response = await fetch(`${stack.gatewayUrl}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${stack.token}`, "content-type": "application/json" },
    body: JSON.stringify({
      model: "openai/gpt-4o-mini",
      messages: [{ role: "user", content: "Tell me a story. [[sim:words=300]]" }],
      stream: true,
      stream_options: { include_usage: true },
    }),
  });
  if (!response.ok) throw new Error(`gateway answered ${response.status}: ${await response.text()}`);
  const body = await response.text();
  await writeFile(OUT, body);
  const events = body.split("\n\n").filter((e) => e.startsWith("data: ")).length;
  console.log(`recorded ${events} events, ${body.length} bytes → ${OUT.pathname}`);
} finally {
  await stack.stop();
}
