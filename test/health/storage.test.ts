import { describe, expect, it } from "vitest";
import { assessHealth } from "../../src/health/index.js";
import { healthFixtures, loadFixture } from "./fixtures.js";

describe.each(["persistentvolumeclaim"])("%s health", (kind) => {
  it.each(healthFixtures(kind))("rates $file as $expected", ({ object, expected, message }) => {
    const health = assessHealth(object);
    expect(health.status).toBe(expected);
    expect(health.message).toContain(message);
  });
});

describe("PersistentVolumeClaim edge cases", () => {
  it("is Unknown for a phase Kubernetes does not define", () => {
    const pvc = loadFixture("persistentvolumeclaim-bound.yaml");
    (pvc.status as Record<string, unknown>).phase = "Lingering";
    expect(assessHealth(pvc).status).toBe("Unknown");
  });

  it("is Progressing while a new claim has no phase yet", () => {
    const pvc = loadFixture("persistentvolumeclaim-pending.yaml");
    delete pvc.status;
    expect(assessHealth(pvc).status).toBe("Progressing");
  });
});
