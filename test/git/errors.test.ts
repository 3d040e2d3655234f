import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createGitSource } from "../../src/git/index.js";
import { startGitServer, type GitServer } from "../support/git-server.js";
import { capturedLogger, everythingIn, gitErrorOf, tempDir } from "./helpers.js";

const PASSWORD = "Very$ecret-Pa55word";
const TOKEN = "tok-0123456789-secret";

let cache: { dir: string; cleanup: () => Promise<void> };
let n = 0;
beforeAll(async () => {
  cache = await tempDir("plumb-git-errors-");
});
afterAll(async () => {
  await cache.cleanup();
});
const cacheDir = (): string => join(cache.dir, `c${n++}`);

describe("credentials", () => {
  let server: GitServer;
  let url: string;
  let sha: string;
  beforeAll(async () => {
    server = await startGitServer({ auth: { username: "alice", password: PASSWORD } });
    url = await server.createRepo("private");
    sha = await server.commit("private", { files: { "cm.yaml": "kind: ConfigMap\n" } });
  });
  afterAll(async () => {
    await server.stop();
  });

  it("resolves and checks out with the right username and password", async () => {
    const git = createGitSource({ cacheDir: cacheDir() });
    const credentials = { username: "alice", password: PASSWORD };
    expect(await git.resolveRevision({ repoURL: url, revision: "main", credentials })).toBe(sha);
    const { dir } = await git.checkout({ repoURL: url, revision: sha, credentials });
    expect(await readFile(join(dir, "cm.yaml"), "utf8")).toBe("kind: ConfigMap\n");
  });

  it("accepts credentials written into the URL", async () => {
    const git = createGitSource({ cacheDir: cacheDir() });
    const withUserinfo = url.replace("http://", `http://alice:${encodeURIComponent(PASSWORD)}@`);
    expect(await git.resolveRevision({ repoURL: withUserinfo, revision: "main" })).toBe(sha);
  });

  it("reports a wrong password as AuthFailed without leaking it into errors or logs", async () => {
    const { logger, lines } = capturedLogger();
    const git = createGitSource({ cacheDir: cacheDir(), logger });
    const wrong = `${PASSWORD}-wrong`;
    const credentials = { username: "alice", password: wrong };
    const resolveErr = await gitErrorOf(git.resolveRevision({ repoURL: url, revision: "main", credentials }));
    const checkoutErr = await gitErrorOf(git.checkout({ repoURL: url, revision: sha, credentials }));
    const inURL = url.replace("http://", `http://alice:${encodeURIComponent(wrong)}@`);
    const urlErr = await gitErrorOf(git.resolveRevision({ repoURL: inURL, revision: "main" }));
    for (const err of [resolveErr, checkoutErr, urlErr]) {
      expect(err.code).toBe("AuthFailed");
      expect(err.terminal).toBe(false);
      expect(err.message).toContain("127.0.0.1");
      const text = everythingIn(err);
      expect(text).not.toContain(wrong);
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(Buffer.from(`alice:${wrong}`).toString("base64"));
    }
    expect(lines.length).toBeGreaterThan(0);
    const logged = lines.join("\n");
    expect(logged).toContain("AuthFailed");
    expect(logged).not.toContain(PASSWORD);
    expect(logged).not.toContain(Buffer.from(`alice:${wrong}`).toString("base64"));
  });

  it("does not serve a caller with wrong credentials from a cache another caller filled", async () => {
    const git = createGitSource({ cacheDir: cacheDir() });
    const good = { username: "alice", password: PASSWORD };
    const bad = { username: "alice", password: "guess" };
    await git.checkout({ repoURL: url, revision: sha, credentials: good });
    expect(await git.treeOid({ repoURL: url, sha, path: ".", credentials: good })).toBeDefined();
    expect((await gitErrorOf(git.checkout({ repoURL: url, revision: sha, credentials: bad }))).code).toBe("AuthFailed");
    expect((await gitErrorOf(git.checkout({ repoURL: url, revision: sha }))).code).toBe("AuthFailed");
    expect((await gitErrorOf(git.treeOid({ repoURL: url, sha, path: ".", credentials: bad }))).code).toBe("AuthFailed");
  });

  it("reports missing credentials as AuthFailed", async () => {
    const git = createGitSource({ cacheDir: cacheDir() });
    const err = await gitErrorOf(git.resolveRevision({ repoURL: url, revision: "main" }));
    expect(err.code).toBe("AuthFailed");
  });
});

describe("bearer token", () => {
  it("sends the token up front and reports a wrong one as AuthFailed", async () => {
    const server = await startGitServer({ auth: { bearerToken: TOKEN } });
    try {
      const url = await server.createRepo("tokened");
      const sha = await server.commit("tokened", { files: { "a.yaml": "a: 1\n" } });
      const { logger, lines } = capturedLogger();
      const git = createGitSource({ cacheDir: cacheDir(), logger });
      expect(await git.resolveRevision({ repoURL: url, credentials: { bearerToken: TOKEN } })).toBe(sha);
      await git.checkout({ repoURL: url, revision: sha, credentials: { bearerToken: TOKEN } });
      const err = await gitErrorOf(git.resolveRevision({ repoURL: url, credentials: { bearerToken: `${TOKEN}x` } }));
      expect(err.code).toBe("AuthFailed");
      expect(everythingIn(err)).not.toContain(TOKEN);
      expect(lines.join("\n")).not.toContain(TOKEN);
    } finally {
      await server.stop();
    }
  });
});

describe("server faults", () => {
  let server: GitServer;
  let url: string;
  let sha: string;
  beforeAll(async () => {
    server = await startGitServer();
    url = await server.createRepo("faulty");
    const big = randomBytes(30_000);
    sha = await server.commit("faulty", { files: { "cm.yaml": "kind: ConfigMap\n", "blob.bin": big } });
  });
  afterEach(async () => {
    await server.setFault(null);
  });
  afterAll(async () => {
    await server.stop();
  });

  it("reports a server that is down as GitUnavailable, and recovers when it is back", async () => {
    const git = createGitSource({ cacheDir: cacheDir() });
    await server.setFault("down");
    expect((await gitErrorOf(git.resolveRevision({ repoURL: url, revision: "main" }))).code).toBe("GitUnavailable");
    expect((await gitErrorOf(git.checkout({ repoURL: url, revision: sha }))).code).toBe("GitUnavailable");
    await server.setFault(null);
    expect(await git.resolveRevision({ repoURL: url, revision: "main" })).toBe(sha);
  });

  it("reports HTTP 500 as GitServerError", async () => {
    const git = createGitSource({ cacheDir: cacheDir() });
    await server.setFault("500");
    const err = await gitErrorOf(git.resolveRevision({ repoURL: url, revision: "main" }));
    expect(err.code).toBe("GitServerError");
    expect(err.data.httpStatus).toBe(500);
    expect((await gitErrorOf(git.checkout({ repoURL: url, revision: sha }))).code).toBe("GitServerError");
  });

  it.each([
    ["in a worker thread", true],
    ["in process", false],
  ])("reports a hanging server as GitTimeout (%s)", async (_label, useWorker) => {
    const dir0 = cacheDir();
    const git = createGitSource({ cacheDir: dir0, timeoutMs: 500, useWorker });
    await server.setFault("hang");
    const resolveErr = await gitErrorOf(git.resolveRevision({ repoURL: url, revision: "main" }));
    expect(resolveErr.code).toBe("GitTimeout");
    const checkoutErr = await gitErrorOf(git.checkout({ repoURL: url, revision: sha }));
    expect(checkoutErr.code).toBe("GitTimeout");
    await server.setFault(null);
    // A patient source on the same cache: the aborted fetch left nothing broken behind.
    const patient = createGitSource({ cacheDir: dir0, useWorker });
    const { dir } = await patient.checkout({ repoURL: url, revision: sha });
    expect(await readFile(join(dir, "cm.yaml"), "utf8")).toBe("kind: ConfigMap\n");
  });

  it("reports a truncated pack as a retryable failure and leaves the cache usable", async () => {
    const git = createGitSource({ cacheDir: cacheDir(), timeoutMs: 5_000 });
    await server.setFault("truncate", { truncateBytes: 2_000 });
    const err = await gitErrorOf(git.checkout({ repoURL: url, revision: sha }));
    expect(err.terminal).toBe(false);
    expect(["GitFetchFailed", "GitTimeout"]).toContain(err.code);
    await server.setFault(null);
    const { dir } = await git.checkout({ repoURL: url, revision: sha });
    expect(await readFile(join(dir, "cm.yaml"), "utf8")).toBe("kind: ConfigMap\n");
  });
});
