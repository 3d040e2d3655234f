import { describe, expect, it } from "vitest";
import { AccessLedger, repoTarget } from "../../src/git/access.js";

const URL_ = "https://git.example.com/org/config.git";

describe("repoTarget", () => {
  it("caches a repository under one key whatever credentials reach it", () => {
    const a = repoTarget("/cache", URL_, { username: "a", password: "1" });
    const b = repoTarget("/cache", "https://b:2@git.example.com/org/config.git", undefined);
    expect(a.key).toBe(b.key);
    expect(a.gitdir).toBe(b.gitdir);
    expect(a.url).not.toContain("b:2");
  });

  it("gives every distinct set of credentials its own access key, and none of them in clear", () => {
    const keys = [undefined, { username: "a", password: "1" }, { username: "a", password: "2" }, { bearerToken: "t" }].map((c) => repoTarget("/cache", URL_, c).access);
    expect(new Set(keys).size).toBe(4);
    for (const k of keys) expect(k).not.toMatch(/\b1\b|\b2\b|:t\b/);
  });

  it("lets the app's Secret override credentials written in the URL, and lists them as secrets to scrub", () => {
    const t = repoTarget("/cache", "https://u:fromurl@git.example.com/org/config.git", { password: "fromsecret" });
    expect(t.secrets).toContain("fromsecret");
    expect(t.secrets).not.toContain("fromurl");
    expect(t.access).toBe(repoTarget("/cache", URL_, { username: "u", password: "fromsecret" }).access);
  });
});

describe("AccessLedger", () => {
  const alice = repoTarget("/cache", URL_, { username: "alice", password: "a" });
  const mallory = repoTarget("/cache", URL_, { username: "mallory", password: "wrong" });

  it("serves from shared caches only credentials the server accepted", async () => {
    const ledger = new AccessLedger();
    ledger.accepted(alice);
    expect(ledger.proven(alice)).toBe(true);
    expect(ledger.proven(mallory)).toBe(false);
    let asked = 0;
    await ledger.prove(alice, async () => asked++);
    expect(asked).toBe(0);
    await expect(ledger.prove(mallory, async () => Promise.reject(new Error("401")))).rejects.toThrow("401");
    expect(ledger.proven(mallory)).toBe(false);
  });

  it("forgets the oldest proofs beyond its limit (they must be proven again)", () => {
    const ledger = new AccessLedger(2);
    const t = (n: number) => repoTarget("/cache", URL_, { bearerToken: `t${n}` });
    for (const n of [1, 2, 3]) ledger.accepted(t(n));
    expect([1, 2, 3].map((n) => ledger.proven(t(n)))).toEqual([false, true, true]);
  });
});
