import { lstat, readFile, readlink, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGitSource, type GitSource } from "../../src/git/index.js";
import { startGitServer, type GitServer } from "../support/git-server.js";
import { gitErrorOf, tempDir } from "./helpers.js";

let server: GitServer;
let cache: { dir: string; cleanup: () => Promise<void> };
beforeAll(async () => {
  server = await startGitServer();
  cache = await tempDir("plumb-git-source-");
});
afterAll(async () => {
  await server.stop();
  await cache.cleanup();
});

let sources = 0;
/** A source with its own cache directory, so tests do not share fetched objects. */
function newSource(useWorker: boolean): GitSource {
  return createGitSource({ cacheDir: join(cache.dir, `c${sources++}`), useWorker, timeoutMs: 20_000 });
}

describe("resolveRevision", () => {
  let url: string;
  let first: string;
  let second: string;
  let git: GitSource;
  beforeAll(async () => {
    url = await server.createRepo("resolve");
    first = await server.commit("resolve", { files: { "a.yaml": "a: 1\n" } });
    second = await server.commit("resolve", { files: { "a.yaml": "a: 2\n" } });
    await server.commit("resolve", { branch: "feature", files: { "f.yaml": "f: 1\n" } });
    await server.tag("resolve", { tag: "light", target: first });
    await server.tag("resolve", { tag: "v1.0.0", target: first, message: "release 1" });
    git = newSource(true);
  });

  it("resolves a branch to its tip", async () => {
    expect(await git.resolveRevision({ repoURL: url, revision: "main" })).toBe(second);
    expect(await git.resolveRevision({ repoURL: url, revision: "refs/heads/main" })).toBe(second);
  });

  it("does not confuse a branch with another that shares its prefix", async () => {
    await server.commit("resolve", { branch: "main-old", files: { "old.yaml": "x: 1\n" } });
    expect(await git.resolveRevision({ repoURL: url, revision: "main" })).toBe(second);
  });

  it("resolves lightweight and annotated tags to the tagged commit", async () => {
    expect(await git.resolveRevision({ repoURL: url, revision: "light" })).toBe(first);
    expect(await git.resolveRevision({ repoURL: url, revision: "v1.0.0" })).toBe(first);
  });

  it("resolves HEAD, and an omitted revision, to the default branch", async () => {
    expect(await git.resolveRevision({ repoURL: url, revision: "HEAD" })).toBe(second);
    expect(await git.resolveRevision({ repoURL: url })).toBe(second);
  });

  it("returns a full SHA as is", async () => {
    expect(await git.resolveRevision({ repoURL: url, revision: first.toUpperCase() })).toBe(first);
  });

  it("reports an unknown revision as RevisionNotFound (terminal)", async () => {
    const err = await gitErrorOf(git.resolveRevision({ repoURL: url, revision: "no-such-branch" }));
    expect(err.code).toBe("RevisionNotFound");
    expect(err.terminal).toBe(true);
    expect(err.message).toContain("no-such-branch");
  });

  it("explains that abbreviated SHAs need to be full", async () => {
    const err = await gitErrorOf(git.resolveRevision({ repoURL: url, revision: first.slice(0, 7) }));
    expect(err.code).toBe("RevisionNotFound");
    expect(err.message).toContain("full 40-character SHA");
  });

  it("refuses non-http URLs as UnsupportedURL", async () => {
    const err = await gitErrorOf(git.resolveRevision({ repoURL: "git@github.com:org/repo.git" }));
    expect(err.code).toBe("UnsupportedURL");
    expect(err.terminal).toBe(true);
  });

  it("reports a missing repository as RepositoryNotFound", async () => {
    const err = await gitErrorOf(git.resolveRevision({ repoURL: server.repoURL("nope"), revision: "main" }));
    expect(err.code).toBe("RepositoryNotFound");
  });

  it("costs at most two HTTP requests for a branch", async () => {
    const before = server.requests;
    await git.resolveRevision({ repoURL: url, revision: "feature" });
    expect(server.requests - before).toBeLessThanOrEqual(2);
  });
});

describe.each([
  ["in a worker thread", true],
  ["in process", false],
])("checkout %s", (_label, useWorker) => {
  const repo = `checkout-${useWorker ? "worker" : "inline"}`;
  let url: string;
  let first: string;
  let git: GitSource;
  beforeAll(async () => {
    url = await server.createRepo(repo);
    first = await server.commit(repo, {
      files: { "apps/web/deploy.yaml": "kind: Deployment\n", "apps/db/sts.yaml": "kind: StatefulSet\n", "run.sh": "#!/bin/sh\n" },
      symlinks: { "apps/web/link.yaml": "deploy.yaml", "apps/escape.yaml": "../../etc/passwd" },
      executable: ["run.sh"],
    });
    git = newSource(useWorker);
  });

  it("writes the files of the commit, keeping symlinks as symlinks", async () => {
    const { dir } = await git.checkout({ repoURL: url, revision: first });
    expect(dir).toContain(first);
    expect(await readFile(join(dir, "apps/web/deploy.yaml"), "utf8")).toBe("kind: Deployment\n");
    expect(await readFile(join(dir, "apps/db/sts.yaml"), "utf8")).toBe("kind: StatefulSet\n");
    expect((await lstat(join(dir, "apps/web/link.yaml"))).isSymbolicLink()).toBe(true);
    expect(await readlink(join(dir, "apps/web/link.yaml"))).toBe("deploy.yaml");
    expect(await readlink(join(dir, "apps/escape.yaml"))).toBe("../../etc/passwd");
    expect((await stat(join(dir, "run.sh"))).mode & 0o111).not.toBe(0);
    expect((await stat(join(dir, "apps/db/sts.yaml"))).mode & 0o111).toBe(0);
  });

  it("makes no request for a commit it already has", async () => {
    await git.checkout({ repoURL: url, revision: first });
    const before = server.requests;
    const fetchesBefore = git.stats().fetches;
    await git.checkout({ repoURL: url, revision: first });
    expect(server.requests).toBe(before);
    expect(git.stats().fetches).toBe(fetchesBefore);
  });

  it("fetches a new commit and shows its changes", async () => {
    await git.checkout({ repoURL: url, revision: first });
    const next = await server.commit(repo, { files: { "apps/web/deploy.yaml": "kind: Deployment # v2\n", "apps/db/sts.yaml": null } });
    const sha = await git.resolveRevision({ repoURL: url, revision: "main" });
    expect(sha).toBe(next);
    const fetchesBefore = git.stats().fetches;
    const { dir } = await git.checkout({ repoURL: url, revision: sha });
    expect(git.stats().fetches).toBe(fetchesBefore + 1);
    expect(await readFile(join(dir, "apps/web/deploy.yaml"), "utf8")).toBe("kind: Deployment # v2\n");
    await expect(stat(join(dir, "apps/db/sts.yaml"))).rejects.toThrow();
  });

  it("shares one fetch between concurrent callers", async () => {
    const fresh = newSource(useWorker);
    const results = await Promise.all(Array.from({ length: 5 }, () => fresh.checkout({ repoURL: url, revision: first })));
    expect(new Set(results.map((r) => r.dir)).size).toBe(1);
    expect(fresh.stats().fetches).toBe(1);
  });

  it("checks out an older commit that no ref points at any more", async () => {
    const fresh = newSource(useWorker);
    const { dir } = await fresh.checkout({ repoURL: url, revision: first });
    expect(await readFile(join(dir, "apps/db/sts.yaml"), "utf8")).toBe("kind: StatefulSet\n");
  });

  it("reports an unknown commit as RevisionNotFound", async () => {
    const err = await gitErrorOf(git.checkout({ repoURL: url, revision: "0123456789abcdef0123456789abcdef01234567" }));
    expect(err.code).toBe("RevisionNotFound");
  });

  it("follows a force push to older history", async () => {
    const before = await git.resolveRevision({ repoURL: url, revision: "main" });
    await git.checkout({ repoURL: url, revision: before });
    const rewritten = await server.forcePush(repo, { base: first, files: { "apps/web/deploy.yaml": "kind: Deployment # rewritten\n" } });
    const sha = await git.resolveRevision({ repoURL: url, revision: "main" });
    expect(sha).toBe(rewritten);
    const { dir } = await git.checkout({ repoURL: url, revision: sha });
    expect(await readFile(join(dir, "apps/web/deploy.yaml"), "utf8")).toBe("kind: Deployment # rewritten\n");
  });
});

describe("checkout of history", () => {
  it("fetches an older commit into a cache that holds only a newer shallow one", async () => {
    const url = await server.createRepo("history");
    const old = await server.commit("history", { files: { "a.yaml": "v: 1\n" } });
    await server.commit("history", { files: { "a.yaml": "v: 2\n" } });
    const git = newSource(true);
    const head = await git.resolveRevision({ repoURL: url, revision: "main" });
    await git.checkout({ repoURL: url, revision: head });
    const { dir } = await git.checkout({ repoURL: url, revision: old });
    expect(await readFile(join(dir, "a.yaml"), "utf8")).toBe("v: 1\n");
    expect(git.stats().fetches).toBe(2);
  });
});

describe("repository isolation", () => {
  it("never shows a commit of another repository through the shared caches", async () => {
    const mine = await server.createRepo("mine");
    await server.commit("mine", { files: { "mine.yaml": "m: 1\n" } });
    const theirs = await server.createRepo("theirs");
    const secret = await server.commit("theirs", { files: { "secret.yaml": "s: 1\n" } });
    const git = newSource(true);
    await git.checkout({ repoURL: theirs, revision: secret });
    expect(await git.treeOid({ repoURL: theirs, sha: secret, path: "." })).toBeDefined();
    expect((await gitErrorOf(git.checkout({ repoURL: mine, revision: secret }))).code).toBe("RevisionNotFound");
    expect((await gitErrorOf(git.treeOid({ repoURL: mine, sha: secret, path: "." }))).code).toBe("RevisionNotFound");
  });
});

describe("worktrees", () => {
  it("keeps only the most recently used worktrees and reports each fetch", async () => {
    const url = await server.createRepo("many");
    const events: string[] = [];
    const git = createGitSource({
      cacheDir: join(cache.dir, `c${sources++}`),
      keepWorktrees: 2,
      onOperation: (e) => events.push(`${e.kind}${e.error ? ` ${e.error}` : ""}`),
    });
    const dirs: string[] = [];
    for (let i = 0; i < 3; i++) {
      const sha = await server.commit("many", { files: { "n.yaml": `n: ${i}\n` } });
      dirs.push((await git.checkout({ repoURL: url, revision: sha })).dir);
    }
    await expect(stat(dirs[0]!)).rejects.toThrow();
    expect(await readFile(join(dirs[1]!, "n.yaml"), "utf8")).toBe("n: 1\n");
    expect(await readFile(join(dirs[2]!, "n.yaml"), "utf8")).toBe("n: 2\n");
    expect(events).toEqual(["fetch", "fetch", "fetch"]);
  });
});

describe("treeOid", () => {
  it("tells whether a path changed between commits", async () => {
    const url = await server.createRepo("trees");
    const a = await server.commit("trees", { files: { "apps/one/cm.yaml": "x: 1\n", "apps/two/cm.yaml": "y: 1\n" } });
    const b = await server.commit("trees", { files: { "apps/two/cm.yaml": "y: 2\n" } });
    const git = newSource(true);
    const oid = (sha: string, path: string): Promise<string | undefined> => git.treeOid({ repoURL: url, sha, path });
    expect(await oid(a, "apps/one")).toMatch(/^[0-9a-f]{40}$/);
    expect(await oid(a, "apps/one")).toBe(await oid(b, "apps/one"));
    expect(await oid(a, "apps/two")).not.toBe(await oid(b, "apps/two"));
    expect(await oid(a, "apps/two/")).toBe(await oid(a, "./apps/two"));
    expect(await oid(a, ".")).not.toBe(await oid(b, ""));
    expect(await oid(a, "apps/three")).toBeUndefined();
    expect(await oid(a, "apps/one/cm.yaml/deeper")).toBeUndefined();
  });
});

describe("shared answers", () => {
  it("reuses a ref listing sent since `since` and asks the server again for a later one", async () => {
    const url = await server.createRepo("since");
    const first = await server.commit("since", { files: { "a.yaml": "a: 1\n" } });
    const git = newSource(true);
    const t0 = Date.now();
    expect(await git.resolveRevision({ repoURL: url, revision: "main" })).toBe(first);
    const second = await server.commit("since", { files: { "a.yaml": "a: 2\n" } });
    const before = server.requests;
    // an answer from a listing sent after t0 is good enough: no request, the older commit
    expect(await git.resolveRevision({ repoURL: url, revision: "main", since: t0 })).toBe(first);
    expect(server.requests).toBe(before);
    // a caller told the branch moved (a webhook) asks anew
    expect(await git.resolveRevision({ repoURL: url, revision: "main", since: Date.now() + 1 })).toBe(second);
    expect(server.requests).toBeGreaterThan(before);
  });

  it("lists refs once for many callers at once", async () => {
    const url = await server.createRepo("burst");
    await server.commit("burst", { files: { "a.yaml": "a: 1\n" } });
    const git = newSource(true);
    server.resetCounters();
    const since = Date.now();
    const shas = await Promise.all(Array.from({ length: 20 }, () => git.resolveRevision({ repoURL: url, revision: "main", since })));
    expect(new Set(shas).size).toBe(1);
    expect(server.requestsByPath.get("/burst.git/git-upload-pack")).toBe(1);
  });
});

describe("symlinksIn", () => {
  it("tells whether a path holds a symlink, so a render of it may read elsewhere", async () => {
    const url = await server.createRepo("links");
    const sha = await server.commit("links", {
      files: { "plain/cm.yaml": "a: 1\n", "linked/cm.yaml": "b: 1\n", "common/base.yaml": "c: 1\n" },
      symlinks: { "linked/base.yaml": "../common/base.yaml" },
    });
    const git = newSource(true);
    expect(await git.symlinksIn({ repoURL: url, sha, path: "plain" })).toBe(false);
    expect(await git.symlinksIn({ repoURL: url, sha, path: "linked" })).toBe(true);
    expect(await git.symlinksIn({ repoURL: url, sha, path: "." })).toBe(true);
    expect(await git.symlinksIn({ repoURL: url, sha, path: "missing" })).toBe(false);
  });
});

describe("next commit", () => {
  it("hard-links the files a new commit did not change from the previous tree, and writes the rest", async () => {
    const url = await server.createRepo("relink");
    const a = await server.commit("relink", { files: { "apps/one/cm.yaml": "a: 1\n", "apps/two/cm.yaml": "b: 1\n", "run.sh": "echo\n" }, executable: ["run.sh"] });
    const b = await server.commit("relink", { files: { "apps/two/cm.yaml": "b: 2\n" } });
    const git = newSource(true);
    const first = (await git.checkout({ repoURL: url, revision: a })).dir;
    const second = (await git.checkout({ repoURL: url, revision: b })).dir;
    expect((await stat(join(second, "apps/one/cm.yaml"))).ino).toBe((await stat(join(first, "apps/one/cm.yaml"))).ino);
    expect((await stat(join(second, "apps/two/cm.yaml"))).ino).not.toBe((await stat(join(first, "apps/two/cm.yaml"))).ino);
    expect(await readFile(join(second, "apps/two/cm.yaml"), "utf8")).toBe("b: 2\n");
    expect(await readFile(join(first, "apps/two/cm.yaml"), "utf8")).toBe("b: 1\n");
    expect((await stat(join(second, "run.sh"))).mode & 0o111).not.toBe(0);
  });
});
