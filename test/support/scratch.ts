import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";

const made = new Set<string>();

// Registered when a test file first imports this module (each file has its
// own module instance), so it runs after that file's other afterAll hooks.
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true, maxRetries: 3 });
  made.clear();
});

/**
 * A fresh directory under the system temp dir, removed after the test file
 * that made it (operators, Git caches and CLI runs would otherwise leave
 * hundreds of megabytes in /tmp per run).
 */
export function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.add(dir);
  return dir;
}
