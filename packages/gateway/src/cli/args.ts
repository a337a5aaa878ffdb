import { parseArgs } from "node:util";

/** A mistake in how the command was called: print one line, exit 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  env: NodeJS.ProcessEnv;
}

export const DATA_DIR_OPTION = { "data-dir": { type: "string" } } as const;

type OptionSpec = Record<string, { type: "string" | "boolean" }>;
type OptionValues<T extends OptionSpec> = {
  [K in keyof T]?: T[K]["type"] extends "string" ? string : boolean;
} & {
  help?: boolean;
};

/** `parseArgs` in strict mode, with its errors turned into one-line usage errors. */
export function parse<T extends OptionSpec>(
  args: string[],
  options: T,
  positionals = 0,
): { values: OptionValues<T>; positionals: string[] } {
  try {
    const parsed = parseArgs({
      args,
      options: { ...options, help: { type: "boolean", short: "h" } },
      allowPositionals: positionals > 0,
      strict: true,
    });
    if (parsed.positionals.length > positionals) {
      throw new UsageError(`unexpected argument "${parsed.positionals[positionals]}"`);
    }
    return { values: parsed.values as OptionValues<T>, positionals: parsed.positionals };
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError((err as Error).message.split("\n")[0] ?? "invalid arguments");
  }
}

export function intOption(
  value: string | undefined,
  name: string,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}`);
  return n;
}
