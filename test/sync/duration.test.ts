import { describe, expect, it } from "vitest";
import { SpecError } from "../../src/errors.js";
import { durationMs } from "../../src/sync/duration.js";

describe("durationMs", () => {
  it.each([
    ["500ms", 500],
    ["30s", 30_000],
    ["3m", 180_000],
    ["1h30m", 5_400_000],
    ["1.5s", 1_500],
  ])("parses %s", (text, ms) => expect(durationMs(text, 0)).toBe(ms));

  it("falls back when absent", () => expect(durationMs(undefined, 42)).toBe(42));

  it.each(["3", "5 m", "m", "1d", "-1s"])("rejects %s as an invalid spec", (text) => {
    expect(() => durationMs(text, 0)).toThrow(SpecError);
  });
});
