import { describe, expect, it } from "vitest";
import { HEALTH_ORDER } from "../../src/model/index.js";
import { EXPECTED_HEALTH, EXPECTED_MESSAGE, fixtureFiles, loadFixture } from "./fixtures.js";

/** Kinds that have an it.each table in test/health; a fixture of any other kind would never run. */
const KINDS_WITH_TABLES = [
  "apiservice",
  "certificate",
  "configmap",
  "cronjob",
  "customresourcedefinition",
  "daemonset",
  "deployment",
  "horizontalpodautoscaler",
  "ingress",
  "job",
  "kustomization",
  "namespace",
  "persistentvolumeclaim",
  "pod",
  "replicaset",
  "service",
  "statefulset",
];

describe("health fixtures", () => {
  it.each(fixtureFiles())("%s states its expected verdict and is named after its kind", (file) => {
    const object = loadFixture(file);
    const annotations = object.metadata.annotations ?? {};
    expect(HEALTH_ORDER).toContain(annotations[EXPECTED_HEALTH]);
    expect(annotations[EXPECTED_MESSAGE]).toBeTruthy();
    expect(file.startsWith(`${object.kind.toLowerCase()}-`)).toBe(true);
    expect(KINDS_WITH_TABLES).toContain(object.kind.toLowerCase());
  });
});
