import { execFile } from "node:child_process";

export interface NodeResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node <args>` to completion; never rejects, so tests can assert on failures too. */
export function runNode(
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<NodeResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      args,
      { cwd: options.cwd, env: { ...process.env, ...options.env }, timeout: options.timeoutMs ?? 30_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
