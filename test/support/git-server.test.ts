import * as fs from "node:fs";
import { mkdtemp, readFile, readlink, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import git from "isomorphic-git";
import http from "isomorphic-git/http/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { git as gitCLI } from "./git-repo.js";
import { startGitServer, type GitServer } from "./git-server.js";

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "plumb-git-server-test-"));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** A v2 ls-refs request body listing refs/heads/. */
function lsRefsBody(): Buffer {
  const pkt = (s: string): string => (s.length + 4).toString(16).padStart(4, "0") + s;
  return Buffer.from(pkt("command=ls-refs\n") + "0001" + pkt("ref-prefix refs/heads/\n") + "0000");
}

describe("test Git server", () => {
  let server: GitServer;
  beforeAll(async () => {
    server = await startGitServer();
  });
  afterAll(async () => {
    await server.stop();
  });

  it("serves a pushed file back to git clone and to isomorphic-git", async () => {
    const url = await server.createRepo("foundation");
    const sha = await server.commit("foundation", {
      files: { "app/cm.yaml": "kind: ConfigMap\n" },
      symlinks: { "app/link.yaml": "cm.yaml" },
    });
    expect(sha).toMatch(/^[0-9a-f]{40}$/);

    const cliDir = join(scratch, "cli-clone");
    await gitCLI(["clone", "--quiet", url, cliDir]);
    expect(await readFile(join(cliDir, "app/cm.yaml"), "utf8")).toBe("kind: ConfigMap\n");
    expect(await readlink(join(cliDir, "app/link.yaml"))).toBe("cm.yaml");
    expect(await gitCLI(["rev-parse", "HEAD"], cliDir)).toBe(sha);

    const isoDir = join(scratch, "iso-clone");
    await git.clone({ fs, http, dir: isoDir, url, singleBranch: true, depth: 1 });
    expect(await readFile(join(isoDir, "app/cm.yaml"), "utf8")).toBe("kind: ConfigMap\n");
    expect(await git.resolveRef({ fs, dir: isoDir, ref: "HEAD" })).toBe(sha);
  });

  it("accepts a push over HTTP from the git CLI", async () => {
    const url = await server.createRepo("pushed");
    const dir = join(scratch, "push-work");
    await gitCLI(["init", "--quiet", "--initial-branch=main", dir]);
    fs.writeFileSync(join(dir, "a.txt"), "over http\n");
    await gitCLI(["add", "-A"], dir);
    await gitCLI(["commit", "--quiet", "-m", "first"], dir);
    const before = server.requests;
    await gitCLI(["push", "--quiet", url, "HEAD:refs/heads/main"], dir);
    expect(server.requests).toBeGreaterThan(before);
    expect(server.requestsByPath.get("/pushed.git/git-receive-pack")).toBe(1);
    const remote = await gitCLI(["ls-remote", url, "refs/heads/main"]);
    expect(remote.split("\t")[0]).toBe(await gitCLI(["rev-parse", "HEAD"], dir));
  });

  it("answers gzip-compressed protocol v2 requests", async () => {
    await server.createRepo("gz");
    const sha = await server.commit("gz", { files: { "x.txt": "x" } });
    const res = await fetch(`${server.repoURL("gz")}/git-upload-pack`, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-git-upload-pack-request",
        "Content-Encoding": "gzip",
        "Git-Protocol": "version=2",
      },
      body: gzipSync(lsRefsBody()),
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(`${sha} refs/heads/main`);
  });

  it("rewrites history with forcePush and resetBranch, and creates tags", async () => {
    const url = await server.createRepo("history");
    const first = await server.commit("history", { files: { "a.txt": "1" } });
    const second = await server.commit("history", { files: { "a.txt": "2" } });
    const head = async (): Promise<string> => (await gitCLI(["ls-remote", url, "refs/heads/main"])).split("\t")[0]!;
    expect(await head()).toBe(second);
    await server.resetBranch("history", { to: first });
    expect(await head()).toBe(first);
    const bareDir = join(server.root, "repos", "history.git");
    const onFirst = await server.forcePush("history", { base: first, files: { "b.txt": "rewritten" } });
    expect(await head()).toBe(onFirst);
    expect(await gitCLI(["rev-list", "--count", onFirst], bareDir)).toBe("2");
    const rewritten = await server.forcePush("history", { files: { "b.txt": "new root" } });
    expect(await head()).toBe(rewritten);
    expect(await gitCLI(["rev-list", "--count", rewritten], bareDir)).toBe("1");
    const annotated = await server.tag("history", { tag: "v1", message: "release" });
    expect(annotated).not.toBe(rewritten);
    expect(await gitCLI(["ls-remote", url, "refs/tags/v1^{}"])).toContain(rewritten);
  });

  it("counts requests per path and resets the counters", async () => {
    await server.createRepo("counted");
    await server.commit("counted", { files: { "a.txt": "a" } });
    server.resetCounters();
    await gitCLI(["ls-remote", server.repoURL("counted")]);
    expect(server.requestsByPath.get("/counted.git/info/refs")).toBe(1);
    const perPath = [...server.requestsByPath.values()].reduce((a, b) => a + b, 0);
    expect(server.requests).toBe(perPath);
    server.resetCounters();
    expect(server.requests).toBe(0);
  });

  it("injects 500, hang, truncate and down faults and recovers on the same port", async () => {
    await server.createRepo("faulty");
    await server.commit("faulty", { files: { "big.bin": Buffer.alloc(20_000, 7), "a.txt": "a" } });
    const info = `${server.repoURL("faulty")}/info/refs?service=git-upload-pack`;

    await server.setFault("500");
    expect((await fetch(info)).status).toBe(500);

    await server.setFault("hang");
    await expect(fetch(info, { signal: AbortSignal.timeout(300) })).rejects.toThrow();

    await server.setFault("truncate", { truncateBytes: 64 });
    await expect(gitCLI(["clone", "--quiet", server.repoURL("faulty"), join(scratch, "truncated")])).rejects.toThrow();

    await server.setFault("down");
    await expect(fetch(info)).rejects.toThrow();

    await server.setFault(null);
    expect((await fetch(info)).status).toBe(200);
  });
});

describe("test Git server with auth", () => {
  it("requires basic auth and sends WWW-Authenticate otherwise", async () => {
    const server = await startGitServer({ auth: { username: "alice", password: "s3cret-pw" } });
    try {
      await server.createRepo("private");
      await server.commit("private", { files: { "a.txt": "a" } });
      const info = `${server.repoURL("private")}/info/refs?service=git-upload-pack`;
      const anonymous = await fetch(info);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get("www-authenticate")).toContain("Basic");
      const wrong = await fetch(info, { headers: { Authorization: `Basic ${btoa("alice:nope")}` } });
      expect(wrong.status).toBe(401);
      const right = await fetch(info, { headers: { Authorization: `Basic ${btoa("alice:s3cret-pw")}` } });
      expect(right.status).toBe(200);

      const dir = join(scratch, "auth-push");
      const authed = server.repoURL("private").replace("http://", "http://alice:s3cret-pw@");
      await gitCLI(["clone", "--quiet", authed, dir]);
      fs.writeFileSync(join(dir, "b.txt"), "b");
      await gitCLI(["add", "-A"], dir);
      await gitCLI(["commit", "--quiet", "-m", "pushed with auth"], dir);
      await gitCLI(["push", "--quiet", "origin", "HEAD:refs/heads/main"], dir);
    } finally {
      await server.stop();
    }
  });

  it("accepts a bearer token", async () => {
    const server = await startGitServer({ auth: { bearerToken: "tok-123" } });
    try {
      await server.createRepo("bearer");
      const info = `${server.repoURL("bearer")}/info/refs?service=git-upload-pack`;
      const anonymous = await fetch(info);
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get("www-authenticate")).toContain("Bearer");
      expect((await fetch(info, { headers: { Authorization: "Bearer tok-123" } })).status).toBe(200);
    } finally {
      await server.stop();
    }
  });
});
