import { describe, expect, it } from "vitest";
import { redactURL } from "../../src/model/repo-url.js";
import { redactURL as gitRedactURL } from "../../src/git/index.js";

// Every credential-looking part of these URLs is one of these words; none may survive.
const SECRETS = ["hunter2", "p@ss", "ss@", "tok3n", "ghp_abc123", "s3cr3t", "colon:pw", "%40", "pa%3Ass"];

describe("redactURL: one redaction for every repository URL", () => {
  it.each([
    ["https://bob:hunter2@git.example.com/r.git", "https://git.example.com/r.git"],
    ["https://user:p@ss@host/r.git", "https://host/r.git"], // '@' in the password: new URL takes the last '@'
    ["https://user:colon:pw@host/r.git", "https://host/r.git"], // ':' in the password
    ["https://user:pa%3Ass@host/r.git", "https://host/r.git"], // percent-encoded ':'
    ["https://user:p%40ss@host/r.git", "https://host/r.git"], // percent-encoded '@'
    ["https://ghp_abc123@github.com/org/r.git", "https://github.com/org/r.git"], // a token as the username
    ["https://ghp_abc123:x-oauth-basic@github.com/org/r", "https://github.com/org/r"],
    ["https://oauth2:tok3n@gitlab.example.com:8443/g/r.git", "https://gitlab.example.com:8443/g/r.git"],
    ["HTTPS://Bob:s3cr3t@Git.Example.com/R.git", "https://git.example.com/R.git"],
    ["https://git.example.com/a@b/r.git", "https://git.example.com/a@b/r.git"], // '@' in the path is no userinfo
    ["https://git.example.com/r.git", "https://git.example.com/r.git"],
    // not URLs new URL accepts: everything up to the authority's last '@' goes
    ["https://us er:s3cr3t@ho st/r.git", "https://ho st/r.git"],
    ["https://user:p@ss@[bad/r.git", "https://[bad/r.git"],
    ["git@github.com:org/r.git", "github.com:org/r.git"],
    ["user:hunter2@host:org/r.git", "host:org/r.git"],
    ["not a url", "not a url"],
  ])("%s → %s", (url, want) => {
    const got = redactURL(url);
    expect(got).toBe(want);
    for (const s of SECRETS) if (!want.includes(s)) expect(got).not.toContain(s);
  });

  it("is the same function git/ exports (one redaction, in one place)", () => {
    expect(gitRedactURL).toBe(redactURL);
  });
});
