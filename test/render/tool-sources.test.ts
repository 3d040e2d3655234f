import { describe, expect, it } from "vitest";
import { placeHelmHooks } from "../../src/render/helm-hooks.js";
import { isRemoteReference } from "../../src/render/kustomize-inputs.js";
import { helmFailure } from "../../src/render/render-helm.js";
import type { RenderedObject } from "../../src/render/rendered-object.js";

const obj = (name: string, annotations: Record<string, string> = {}): RenderedObject => ({
  object: { apiVersion: "v1", kind: "ConfigMap", metadata: { name, annotations } },
  source: { file: "t.yaml", line: 1 },
});
const waveOf = (r: RenderedObject) => r.object.metadata.annotations?.["plumb.dev/sync-wave"];

describe("kustomize references", () => {
  it.each([
    ["https://github.com/org/repo//base?ref=v1", true],
    ["github.com/org/repo/base?ref=main", true],
    ["git@github.com:org/repo.git", true],
    ["ssh://git@example.com/org/repo", true],
    ["git::https://example.com/org/repo", true],
    ["example.com/org/repo//deploy", true],
    ["http://example.com/raw/deployment.yaml", true],
    ["../base", false],
    ["../../components/monitoring", false],
    ["deployment.yaml", false],
    ["patches/replicas.yaml", false],
    ["config.d/app.yaml", false],
  ])("%s is remote: %s", (entry, remote) => {
    expect(isRemoteReference(entry)).toBe(remote);
  });
});

describe("Helm hooks", () => {
  it("drops test hooks and delete-only hooks and keeps plain objects as they are", () => {
    const out = placeHelmHooks([obj("a"), obj("t", { "helm.sh/hook": "test" }), obj("t2", { "helm.sh/hook": "test-success" }), obj("d", { "helm.sh/hook": "pre-delete" })]);
    expect(out.map((r) => r.object.metadata.name)).toEqual(["a"]);
    expect(waveOf(out[0]!)).toBeUndefined();
  });

  it("puts pre-install/pre-upgrade hooks in a wave before the chart and post-* hooks in one after it", () => {
    const out = placeHelmHooks([
      obj("db", { "plumb.dev/sync-wave": "2" }),
      obj("web"),
      obj("migrate", { "helm.sh/hook": "pre-install,pre-upgrade" }),
      obj("notify", { "helm.sh/hook": "post-upgrade" }),
      obj("own", { "helm.sh/hook": "pre-install", "plumb.dev/sync-wave": "7" }),
    ]);
    expect(Object.fromEntries(out.map((r) => [r.object.metadata.name, waveOf(r)]))).toEqual({ db: "2", web: undefined, migrate: "-1", notify: "3", own: "7" });
  });
});

describe("helm template errors", () => {
  it.each([
    ["Error: web/templates/deployment.yaml:4:18\n  executing \"web/templates/deployment.yaml\" at <.Values.missing.key>:\n    nil pointer evaluating interface {}.key\n\nUse --debug flag to render out invalid YAML\n", "web/templates/deployment.yaml", 4],
    ["Error: template: web/templates/deployment.yaml:12:20: executing \"web/templates/deployment.yaml\" at <.Values.x.y>: nil pointer", "web/templates/deployment.yaml", 12],
    ["Error: parse error at (web/templates/_helpers.tpl:3): function \"nope\" not defined", "web/templates/_helpers.tpl", 3],
    ["Error: YAML parse error on web/templates/cm.yaml: error converting YAML to JSON: yaml: line 5: did not find expected key", "web/templates/cm.yaml", 5],
  ])("names the template file and line: %s", (stderr, file, line) => {
    const err = helmFailure(stderr, { shown: "charts/web", hide: [] });
    expect(err.code).toBe("HelmTemplateFailed");
    expect(err.message).toMatch(new RegExp(`^${file.replaceAll(".", "\\.")}:${line}: helm template failed`));
    expect(err.data).toMatchObject({ file, line });
  });

  it("hides the checkout's absolute path and says how to vendor a missing dependency", () => {
    const err = helmFailure("Error: An error occurred while checking for chart dependencies. You may need to run `helm dependency build` to fetch missing dependencies: found in Chart.yaml, but missing in charts/ directory: redis\n", { shown: "charts/web", hide: ["/tmp/checkout/abc"] });
    expect(err.message).toMatch(/^charts\/web: helm template failed: .*redis; vendor the dependencies into charts\//);
  });
});
