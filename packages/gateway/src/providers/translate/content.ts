import { type DataUrl, parseDataUrl } from "./data-url.js";
import { type Loc, untranslatable } from "./invalid.js";

/**
 * One part of an OpenAI message's content, decoded once so each vendor module only decides what it
 * accepts. `loc` points at the part in the request, for 422 details.
 */
export type ContentPart =
  | { kind: "text"; text: string; cacheControl?: unknown; loc: Loc }
  | { kind: "image"; url: string; inline: DataUrl | undefined; loc: Loc }
  | { kind: "audio"; format: string; data: string; loc: Loc }
  | {
      kind: "file";
      inline: DataUrl | undefined;
      fileId: string | undefined;
      filename: string | undefined;
      loc: Loc;
    };

type RawPart = Record<string, unknown> & { type: string };

/**
 * Decodes `content` (a string or an array of parts) of the message at `loc`. Invalid data URLs are a 422
 * here, whatever the vendor, since no vendor can use them.
 */
export function readContent(vendor: string, content: unknown, loc: Loc): ContentPart[] {
  if (typeof content === "string") return [{ kind: "text", text: content, loc }];
  if (!Array.isArray(content)) return [];
  return content.map((raw: RawPart, j) => readPart(vendor, raw, [...loc, j]));
}

function readPart(vendor: string, part: RawPart, loc: Loc): ContentPart {
  switch (part.type) {
    case "text":
      return part.cache_control === undefined
        ? { kind: "text", text: String(part.text), loc }
        : { kind: "text", text: String(part.text), cacheControl: part.cache_control, loc };
    case "refusal":
      // An assistant's earlier refusal, replayed: it is what the model said.
      return { kind: "text", text: String(part.refusal), loc };
    case "image_url": {
      const url = String((part.image_url as { url: string }).url);
      const inline = parseDataUrl(url);
      if (url.startsWith("data:") && !inline) {
        throw untranslatable(
          vendor,
          [...loc, "image_url", "url"],
          "invalid_data_url",
          "not a valid data URL",
        );
      }
      return { kind: "image", url, inline, loc };
    }
    case "input_audio": {
      const audio = part.input_audio as { data: string; format: string };
      return { kind: "audio", format: audio.format, data: audio.data, loc };
    }
    case "file": {
      const file = part.file as { file_data?: string; file_id?: string; filename?: string };
      const inline = file.file_data === undefined ? undefined : parseDataUrl(file.file_data);
      if (file.file_data !== undefined && !inline) {
        throw untranslatable(
          vendor,
          [...loc, "file", "file_data"],
          "invalid_data_url",
          "file_data must be a data URL (data:<mime>;base64,…)",
        );
      }
      return { kind: "file", inline, fileId: file.file_id, filename: file.filename, loc };
    }
    default:
      throw untranslatable(
        vendor,
        loc,
        "unsupported_content",
        `content parts of type "${part.type}" are not supported`,
      );
  }
}

/** The text of a system, developer or tool message: its string, or its text parts joined. */
export function plainText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  const texts: string[] = [];
  for (const part of content as RawPart[]) if (part.type === "text") texts.push(String(part.text));
  return texts.join("\n");
}

/** True when a text would be refused as empty by Anthropic (and is noise to Gemini). */
export function isBlank(text: string): boolean {
  return text.trim() === "";
}
