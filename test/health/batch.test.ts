import { describe, expect, it } from "vitest";
import { assessHealth } from "../../src/health/index.js";
import { healthFixtures, loadFixture } from "./fixtures.js";

describe.each(["job", "cronjob"])("%s health", (kind) => {
  it.each(healthFixtures(kind))("rates $file as $expected", ({ object, expected, message }) => {
    const health = assessHealth(object);
    expect(health.status).toBe(expected);
    expect(health.message).toContain(message);
  });
});

describe("Job and CronJob edge cases", () => {
  it("counts succeeded pods without a completions target for a work-queue Job", () => {
    const job = loadFixture("job-running.yaml");
    delete (job.spec as Record<string, unknown>).completions;
    expect(assessHealth(job).message).toBe("Job is running: 1 active, 0 succeeded, 1 failed");
  });

  it("ignores terminal conditions that are not True", () => {
    const job = loadFixture("job-running.yaml");
    (job.status as Record<string, unknown>).conditions = [
      { type: "Failed", status: "False", reason: "", message: "" },
      { type: "Complete", status: "False", reason: "", message: "" },
    ];
    expect(assessHealth(job).status).toBe("Progressing");
  });

  it("reports a finished Job Healthy even when it is suspended afterwards", () => {
    const job = loadFixture("job-complete.yaml");
    (job.spec as Record<string, unknown>).suspend = true;
    expect(assessHealth(job).status).toBe("Healthy");
  });

  it("says when a CronJob last ran even if no run has succeeded yet", () => {
    const cronJob = loadFixture("cronjob-healthy.yaml");
    delete (cronJob.status as Record<string, unknown>).lastSuccessfulTime;
    expect(assessHealth(cronJob)).toEqual({ status: "Healthy", message: "CronJob last scheduled at 2025-05-06T02:00:00Z" });
  });
});
