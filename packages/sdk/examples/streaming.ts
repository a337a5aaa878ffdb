// Seed snippet "Streaming", verbatim, after the client setup of chat-completion.ts.
import { MeshAPI } from "meshapi-node-sdk";

const client = new MeshAPI({
  baseUrl: process.env.MESHAPI_BASE_URL ?? "https://api.yourdomain.com",
  token: process.env.MESHAPI_TOKEN ?? "rsk_01JXXXXXXXXXXXXXXXXXXXXXXXXX",
});

const stream = client.chat.completions.create({
  model: "openai/gpt-4o-mini",
  messages: [{ role: "user", content: "Write a haiku about TypeScript." }],
  stream: true,
});

let fullText = "";

for await (const chunk of stream) {
  const delta = chunk.choices[0]?.delta.content ?? "";
  process.stdout.write(delta);
  fullText += delta;
}

console.log("\n--- Full response:", fullText);
