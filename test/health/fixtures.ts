/**
 * Loads the health fixtures: real objects as the API server returns them,
 * each carrying its expected verdict in annotations so one table drives them:
 *   test.plumb.dev/expected-health: Degraded
 *   test.plumb.dev/expected-message: <a substring the message must contain>
 */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import type { HealthStatus, KubeObject } from "../../src/model/index.js";

export const FIXTURE_DIR = fileURLToPath(new URL("../fixtures/health/", import.meta.url));
export const EXPECTED_HEALTH = "test.plumb.dev/expected-health";
export const EXPECTED_MESSAGE = "test.plumb.dev/expected-message";

export interface HealthFixture {
  file: string;
  object: KubeObject;
  expected: HealthStatus;
  message: string;
}

/** Every fixture file name, sorted. */
export function fixtureFiles(): string[] {
  return readdirSync(FIXTURE_DIR).filter((f) => f.endsWith(".yaml")).sort();
}

/** A fresh copy of one fixture object, for tests that change a field. */
export function loadFixture(file: string): KubeObject {
  return parse(readFileSync(`${FIXTURE_DIR}${file}`, "utf8")) as KubeObject;
}

/** The fixtures of one kind (`<kind>-<state>.yaml`, kind in lower case); throws when there are none. */
export function healthFixtures(kind: string): HealthFixture[] {
  const fixtures = fixtureFiles()
    .filter((file) => file.startsWith(`${kind}-`))
    .map((file) => {
      const object = loadFixture(file);
      const annotations = object.metadata.annotations ?? {};
      return {
        file,
        object,
        expected: annotations[EXPECTED_HEALTH] as HealthStatus,
        message: annotations[EXPECTED_MESSAGE] ?? "",
      };
    });
  if (fixtures.length === 0) throw new Error(`no fixtures named ${kind}-*.yaml in ${FIXTURE_DIR}`);
  return fixtures;
}
