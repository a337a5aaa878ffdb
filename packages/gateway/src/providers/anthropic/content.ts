import { type ContentPart, isBlank, readContent } from "../translate/content.js";
import { type Loc, untranslatable } from "../translate/invalid.js";

export type Block = Record<string, unknown>;

const VENDOR = "Anthropic";
/** The only image types the Messages API takes as base64 (reference §2.2, §4.4 item 15). */
const IMAGE_TYPES = new Set(["image/jpeg", "image/png", "image/gif", "image/webp"]);

/**
 * Content blocks for a user or assistant message. Blank text is left out: the API refuses empty and
 * whitespace-only text blocks.
 */
export function contentBlocks(content: unknown, loc: Loc): Block[] {
  const blocks: Block[] = [];
  for (const part of readContent(VENDOR, content, [...loc, "content"])) {
    const block = toBlock(part);
    if (block !== undefined) blocks.push(block);
  }
  return blocks;
}

/** A text block, or undefined for blank text; `cache_control` on an OpenAI text part is passed on. */
export function textBlock(text: string, cacheControl?: unknown): Block | undefined {
  if (isBlank(text)) return undefined;
  return cacheControl === undefined
    ? { type: "text", text }
    : { type: "text", text, cache_control: cacheControl };
}

function toBlock(part: ContentPart): Block | undefined {
  switch (part.kind) {
    case "text":
      return textBlock(part.text, part.cacheControl);
    case "image":
      return imageBlock(part);
    case "audio":
      throw untranslatable(VENDOR, part.loc, "unsupported_content", "Claude models do not take audio input");
    case "file":
      return documentBlock(part);
  }
}

function imageBlock(part: ContentPart & { kind: "image" }): Block {
  if (part.inline) {
    if (!IMAGE_TYPES.has(part.inline.mimeType)) {
      throw untranslatable(
        VENDOR,
        [...part.loc, "image_url", "url"],
        "unsupported_content",
        `images must be JPEG, PNG, GIF or WebP, not ${part.inline.mimeType}`,
      );
    }
    return {
      type: "image",
      source: { type: "base64", media_type: part.inline.mimeType, data: part.inline.data },
    };
  }
  if (/^https?:\/\//i.test(part.url)) return { type: "image", source: { type: "url", url: part.url } };
  throw untranslatable(
    VENDOR,
    [...part.loc, "image_url", "url"],
    "unsupported_content",
    "image URLs must be http(s) or data URLs",
  );
}

/** PDFs and plain text become document blocks; other files have no Anthropic equivalent. */
function documentBlock(part: ContentPart & { kind: "file" }): Block {
  if (!part.inline) {
    throw untranslatable(
      VENDOR,
      [...part.loc, "file"],
      "unsupported_content",
      "OpenAI file ids mean nothing to Anthropic; send the file inline as file_data",
    );
  }
  const title = part.filename === undefined ? {} : { title: part.filename };
  if (part.inline.mimeType === "application/pdf") {
    return {
      type: "document",
      source: { type: "base64", media_type: "application/pdf", data: part.inline.data },
      ...title,
    };
  }
  if (part.inline.mimeType === "text/plain") {
    const text = Buffer.from(part.inline.data, "base64").toString("utf8");
    return { type: "document", source: { type: "text", media_type: "text/plain", data: text }, ...title };
  }
  throw untranslatable(
    VENDOR,
    [...part.loc, "file", "file_data"],
    "unsupported_content",
    `files must be PDF or plain text, not ${part.inline.mimeType}`,
  );
}
