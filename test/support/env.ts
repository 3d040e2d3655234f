import { afterAll, beforeAll } from "vitest";
import type { PlumbMetrics } from "../../src/metrics/index.js";
import { startGitServer, type GitServer } from "./git-server.js";
import { createNamespace } from "./kube.js";
import { startTestOperator, type TestOperator } from "./operator.js";

/** What a cluster test file works with: a Git server, its own namespace and an operator watching only it. */
export interface TestEnvironment {
  git: GitServer;
  op: TestOperator;
  ns: string;
}

/**
 * Registers beforeAll/afterAll hooks that start a Git server, create a fresh
 * namespace `<prefix>-<random>` and an in-process operator watching it, and
 * stop them afterwards. Read the fields inside tests (they are set in beforeAll).
 */
export function useTestEnvironment(prefix: string, opts: { operatorFlags?: Record<string, string>; metrics?: PlumbMetrics } = {}): TestEnvironment {
  const env = {} as TestEnvironment;
  beforeAll(async () => {
    env.git = await startGitServer();
    env.ns = await createNamespace(prefix);
    env.op = await startTestOperator({ namespace: env.ns, ...(opts.operatorFlags ? { flags: opts.operatorFlags } : {}), ...(opts.metrics ? { metrics: opts.metrics } : {}) });
  });
  afterAll(async () => {
    await env.op?.stop();
    await env.git?.stop();
  });
  return env;
}
