import jsonPatch from "fast-json-patch";
import { describe, expect, it } from "vitest";
import {
  compareObjects,
  redactPatch,
  redactSecret,
  REDACTED,
  REDACTED_DESIRED,
  REDACTED_LIVE,
  renderUnifiedDiff,
} from "../../src/diff/index.js";
import { fixture } from "./fixtures.js";

const live = fixture("secret-live");
const desired = fixture("secret-dry-run");

/** Every form a secret value from the fixtures could leak in: plain, base64, or "admin". */
function expectNoSecretValue(output: unknown): void {
  const text = typeof output === "string" ? output : JSON.stringify(output);
  expect(text).not.toContain("CANARY-9c1f");
  expect(text).not.toContain("Q0FOQVJZLTljMWYt");
  expect(text).not.toContain("YWRtaW4=");
}

describe("Secret redaction", () => {
  it("keeps every Secret value out of the compare patch", () => {
    const result = compareObjects({ live, desired });
    expect(result.inSync).toBe(false);
    expectNoSecretValue(result.patch);
  });

  it("shows which keys changed, and only that", () => {
    const { patch } = compareObjects({ live, desired });
    expect(patch).toEqual(
      expect.arrayContaining([
        { op: "replace", path: "/data/password", value: REDACTED_DESIRED },
        { op: "remove", path: "/data/token" },
        { op: "add", path: "/data/apiKey", value: REDACTED },
        { op: "add", path: "/stringData", value: { extra: REDACTED } },
      ]),
    );
    expect(patch.map((op) => op.path)).not.toContain("/data/username");
  });

  it("keeps every Secret value out of a create patch", () => {
    expectNoSecretValue(compareObjects({ live: undefined, desired: live }).patch);
  });

  it("finds a Secret in sync when only server metadata differs", () => {
    const again = { ...live, metadata: { ...live.metadata, resourceVersion: "999" } };
    expect(compareObjects({ live, desired: again })).toEqual({ inSync: true, patch: [] });
  });

  it("keeps every Secret value out of the unified diff, marking old and new", () => {
    const diff = renderUnifiedDiff({ key: "/Secret/guestbook/db", live, desired });
    expectNoSecretValue(diff);
    expect(diff).toContain(`-  password: ${REDACTED_LIVE}`);
    expect(diff).toContain(`+  password: ${REDACTED_DESIRED}`);
    expect(diff).toContain(`   username: ${REDACTED}`);
    expect(diff).not.toContain("last-applied");
  });

  it("keeps every Secret value out of create and prune diffs", () => {
    expectNoSecretValue(renderUnifiedDiff({ key: "k", desired: live }));
    expectNoSecretValue(renderUnifiedDiff({ key: "k", live }));
  });

  it("redactSecret replaces values and drops the last-applied annotation without touching its input", () => {
    const redacted = redactSecret(live);
    expectNoSecretValue(redacted);
    expect(redacted.data).toEqual({ username: REDACTED, password: REDACTED, token: REDACTED });
    expect(JSON.stringify(live)).toContain("CANARY-9c1f");
  });

  it("redactSecret leaves other kinds alone", () => {
    const configMap = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { a: "visible" } };
    expect(redactSecret(configMap)).toBe(configMap);
  });

  it("redactPatch cleans a raw patch computed between two Secrets elsewhere", () => {
    const raw = jsonPatch.compare(live, desired);
    expect(JSON.stringify(raw)).toContain("CANARY-9c1f");
    expectNoSecretValue(redactPatch(raw, live));
    const whole = [
      { op: "add" as const, path: "", value: live },
      { op: "replace" as const, path: "/data", value: live.data },
      { op: "replace" as const, path: "/metadata", value: live.metadata },
      { op: "replace" as const, path: "/metadata/annotations", value: live.metadata.annotations },
      { op: "test" as const, path: "/data/password", value: "Q0FOQVJZLTljMWYtbGl2ZS1wYXNzd29yZA==" },
    ];
    expectNoSecretValue(redactPatch(whole, live));
  });
});
