import { describe, expect, it } from "vitest";
import { healthRank, worseStatus, worst } from "../../src/health/index.js";
import { HEALTH_ORDER, type Health, type HealthStatus } from "../../src/model/index.js";

const verdict = (status: HealthStatus, message: string = status): Health => ({ status, message });

describe("worst", () => {
  it("ranks statuses Healthy < Suspended < Progressing < Missing < Degraded < Unknown", () => {
    const ranked = HEALTH_ORDER.map(healthRank);
    expect(ranked).toEqual([0, 1, 2, 3, 4, 5]);
    expect(HEALTH_ORDER).toEqual(["Healthy", "Suspended", "Progressing", "Missing", "Degraded", "Unknown"]);
  });

  it("calls an app with no resources Healthy", () => {
    expect(worst([])).toEqual({ status: "Healthy", message: "" });
  });

  it.each([
    [["Healthy", "Progressing", "Suspended"], "Progressing"],
    [["Suspended", "Healthy"], "Suspended"],
    [["Degraded", "Missing", "Progressing"], "Degraded"],
    [["Missing", "Progressing"], "Missing"],
    [["Healthy", "Unknown", "Degraded"], "Unknown"],
  ] as [HealthStatus[], HealthStatus][])("folds %j into %s", (statuses, expected) => {
    expect(worst(statuses.map((s) => verdict(s))).status).toBe(expected);
  });

  it("keeps the message of the first resource with the worst status", () => {
    const folded = worst([verdict("Degraded", "web crashed"), verdict("Healthy"), verdict("Degraded", "db crashed")]);
    expect(folded).toEqual({ status: "Degraded", message: "web crashed" });
  });

  it("folds any iterable, such as a generator", () => {
    function* healths(): Generator<Health> {
      yield verdict("Healthy");
      yield verdict("Missing", "gone");
    }
    expect(worst(healths())).toEqual({ status: "Missing", message: "gone" });
  });

  it.each([
    ["Healthy", "Degraded", "Degraded"],
    ["Unknown", "Missing", "Unknown"],
    ["Progressing", "Suspended", "Progressing"],
    ["Missing", "Missing", "Missing"],
  ] as [HealthStatus, HealthStatus, HealthStatus][])("says %s and %s are at worst %s", (a, b, expected) => {
    expect(worseStatus(a, b)).toBe(expected);
  });
});
