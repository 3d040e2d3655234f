import { describe, expect, it } from "vitest";
import { appsForPush, refMoves, type PushEvent } from "../../src/sync/push-targets.js";
import { makeApp } from "../api/fakes.js";

const SHA = "c".repeat(40);

describe("refMoves", () => {
  it.each<[string, PushEvent, boolean]>([
    ["HEAD", { repoURLs: [], ref: "refs/heads/main", defaultBranch: "main" }, true],
    ["HEAD", { repoURLs: [], ref: "refs/heads/feature", defaultBranch: "main" }, false],
    ["HEAD", { repoURLs: [], ref: "refs/heads/feature" }, true],
    ["HEAD", { repoURLs: [], ref: "refs/tags/v1" }, false],
    ["main", { repoURLs: [], ref: "refs/heads/main" }, true],
    ["refs/heads/main", { repoURLs: [], ref: "refs/heads/main" }, true],
    ["main", { repoURLs: [], ref: "refs/heads/mainline" }, false],
    ["v1", { repoURLs: [], ref: "refs/tags/v1" }, true],
    ["v1", { repoURLs: [], ref: "refs/heads/v1" }, true],
    ["main", { repoURLs: [], ref: "main" }, true],
    ["main", { repoURLs: [], ref: "feature" }, false],
    ["main", { repoURLs: [] }, true],
    ["main", { repoURLs: [], ref: SHA }, true],
    [SHA, { repoURLs: [], ref: "refs/heads/main", revision: "d".repeat(40) }, false],
    [SHA, { repoURLs: [], ref: "refs/heads/main", revision: SHA }, true],
  ])("target %s, push %j → %s", (target, push, moves) => {
    expect(refMoves(target, push)).toBe(moves);
  });
});

describe("appsForPush", () => {
  it("matches repositories in normalized form: case, .git, trailing slash, credentials", () => {
    const apps = [
      makeApp({ namespace: "a", name: "plain", repoURL: "https://git.example.com/org/repo.git" }),
      makeApp({ namespace: "a", name: "creds", repoURL: "https://bot:token@Git.Example.com:443/org/repo/" }),
      makeApp({ namespace: "a", name: "other", repoURL: "https://git.example.com/org/repo-two.git" }),
    ];
    const hit = appsForPush(apps, { repoURLs: ["https://git.example.com/org/repo"] });
    expect(hit.map((a) => a.metadata.name)).toEqual(["plain", "creds"]);
  });
});
