import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { GitError } from "../../src/errors.js";
import { createLogger, type Logger } from "../../src/log.js";

/** A pino logger at debug level whose JSON lines are kept in memory. */
export function capturedLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
      done();
    },
  });
  return { logger: createLogger({ level: "debug", destination }), lines };
}

/** A fresh temporary directory, removed by the returned cleanup. */
export async function tempDir(prefix: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** The GitError a promise rejects with (fails the test when it resolves or throws something else). */
export async function gitErrorOf(promise: Promise<unknown>): Promise<GitError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof GitError) return err;
    throw new Error(`expected a GitError, got ${String(err)}`, { cause: err });
  }
  throw new Error("expected a GitError, but the call succeeded");
}

/** Everything an error could show: message, data and the cause chain. */
export function everythingIn(err: Error): string {
  const parts: string[] = [];
  let current: unknown = err;
  while (current instanceof Error) {
    parts.push(current.message, current.stack ?? "", JSON.stringify(current));
    current = current.cause;
  }
  return parts.join("\n");
}
