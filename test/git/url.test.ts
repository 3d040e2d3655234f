import { describe, expect, it } from "vitest";
import { normalizeRepoURL, redactURL } from "../../src/git/index.js";
import { parseRepoURL } from "../../src/git/url.js";
import { GitError } from "../../src/errors.js";

describe("normalizeRepoURL", () => {
  it.each([
    ["https://github.com/org/repo.git", "https://github.com/org/repo"],
    ["https://github.com/org/repo", "https://github.com/org/repo"],
    ["https://github.com/org/repo/", "https://github.com/org/repo"],
    ["https://github.com/org/repo.git/", "https://github.com/org/repo"],
    ["HTTPS://GitHub.COM/org/Repo.git", "https://github.com/org/Repo"],
    ["https://user:pass@github.com/org/repo.git", "https://github.com/org/repo"],
    ["https://token@github.com/org/repo", "https://github.com/org/repo"],
    ["https://github.com:443/org/repo.git", "https://github.com/org/repo"],
    ["http://127.0.0.1:8080/org/repo.git", "http://127.0.0.1:8080/org/repo"],
    ["https://gitlab.example.com/group/sub/repo.git?x=1#frag", "https://gitlab.example.com/group/sub/repo"],
    ["  https://github.com/org/repo.git  ", "https://github.com/org/repo"],
  ])("normalizes %s to %s", (input, expected) => {
    expect(normalizeRepoURL(input)).toBe(expected);
  });

  it("matches the same repository written differently", () => {
    expect(normalizeRepoURL("https://bob:x@GitHub.com/org/repo.git/")).toBe(
      normalizeRepoURL("https://github.com/org/repo"),
    );
  });
});

describe("redactURL", () => {
  it("strips userinfo", () => {
    expect(redactURL("https://bob:hunter2@git.example.com/r.git")).toBe("https://git.example.com/r.git");
  });
});

describe("parseRepoURL", () => {
  it("splits credentials out of the URL", () => {
    expect(parseRepoURL("https://bob:p%40ss@git.example.com/r.git")).toEqual({
      url: "https://git.example.com/r.git",
      credentials: { username: "bob", password: "p@ss" },
    });
  });

  it.each(["git@github.com:org/repo.git", "ssh://git@github.com/org/repo.git", "file:///srv/repo.git", "not a url"])(
    "refuses %s as UnsupportedURL (terminal)",
    (url) => {
      let error: unknown;
      try {
        parseRepoURL(url);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(GitError);
      expect((error as GitError).code).toBe("UnsupportedURL");
      expect((error as GitError).terminal).toBe(true);
    },
  );
});
