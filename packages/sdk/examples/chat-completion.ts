// Seed snippet "Chat Completions", verbatim except that baseUrl and token come from the environment.
import { MeshAPI } from "meshapi-node-sdk";

const client = new MeshAPI({
  baseUrl: process.env.MESHAPI_BASE_URL ?? "https://api.yourdomain.com",
  token: process.env.MESHAPI_TOKEN ?? "rsk_01JXXXXXXXXXXXXXXXXXXXXXXXXX",
});

const response = await client.chat.completions.create({
  model: "openai/gpt-4o-mini",
  messages: [
    { role: "system", content: "You are a helpful assistant." },
    { role: "user", content: "What is the capital of France?" },
  ],
  temperature: 0.7,
  max_tokens: 256,
});

console.log(response.choices[0]?.message.content);
// → "The capital of France is Paris."

console.log(`Tokens used: ${response.usage?.total_tokens}`);
