import { PassThrough, Readable } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import { runDiff } from "../../src/cli/diff.js";
import { runOperator } from "../../src/cli/operator.js";

afterEach(() => vi.restoreAllMocks());

function capture() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on("data", (c: Buffer) => out.push(c.toString()));
  stderr.on("data", (c: Buffer) => err.push(c.toString()));
  return { io: { stdin: Readable.from([]), stdout, stderr }, out: () => out.join(""), err: () => err.join("") };
}

describe("plumb operator arguments", () => {
  it.each([
    [["--listen", "nonsense"], /--listen must be HOST:PORT/],
    [["--leader-elect=maybe"], /--leader-elect must be true or false/],
    [["--api-auth=none", "--listen=0.0.0.0:8080"], /refused unless --listen is a loopback address/],
    [["--no-such-flag"], /Unknown option '--no-such-flag'/],
  ])("exits 2 with one clear line for %j", async (argv, message) => {
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    expect(await runOperator(argv, {})).toBe(2);
    expect(stderr).toHaveBeenCalledTimes(1);
    expect(String(stderr.mock.calls[0]![0])).toMatch(message);
  });
});

describe("plumb diff arguments", () => {
  it("exits 2 with usage when DIR is missing", async () => {
    const c = capture();
    expect(await runDiff([], c.io)).toBe(2);
    expect(c.err()).toContain("missing DIR");
  });

  it("exits 2 on an unknown output format", async () => {
    const c = capture();
    expect(await runDiff(["dir", "-o", "xml"], c.io)).toBe(2);
    expect(c.err()).toContain("--output must be unified or json");
  });

  it("prints usage with --help and exits 0", async () => {
    const c = capture();
    expect(await runDiff(["--help"], c.io)).toBe(0);
    expect(c.out()).toContain("0 no differences, 1 differences, 2 error");
  });
});
