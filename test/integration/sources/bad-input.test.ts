import { describe, it } from "vitest";
import type { ApplicationSpec } from "../../../src/model/application.js";
import { applyApplication, conditionOf, configMapYAML, getApplication, waitForApp, waitForReady } from "../../support/apps.js";
import { useTestEnvironment } from "../../support/env.js";
import { guardSourceFields } from "../../support/sources.js";
import { getJSON, kubectl } from "../../support/kube.js";

// Bad Kustomize and Helm input: each case starts from a synced app, then a
// bad commit (or spec) must fail the render with its code, and nothing live
// may be deleted or changed. The render bounds are small here so the
// too-large and hanging renders hit them quickly.

const env = useTestEnvironment("srcbad", { operatorFlags: { "render-timeout": "8", "render-max-bytes": String(256 * 1024) } });
guardSourceFields();
const automated = { automated: { prune: true, selfHeal: true } };

const kustomization = (resources: string[]) => `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n${resources.map((r) => `  - ${r}`).join("\n")}\n`;
const chart = (templates: Record<string, string>) => ({
  "app/Chart.yaml": "apiVersion: v2\nname: app\nversion: 0.1.0\n",
  "app/values.yaml": "v: \"1\"\n",
  ...Object.fromEntries(Object.entries(templates).map(([k, v]) => [`app/templates/${k}`, v])),
});

interface Case {
  name: string;
  kind: "kustomize" | "helm";
  code: string;
  message: RegExp;
  files?: Record<string, string | null>;
  symlinks?: Record<string, string>;
  spec?: (spec: ApplicationSpec) => ApplicationSpec;
}

const cases: Case[] = [
  { name: "broken-kustomization", kind: "kustomize", code: "KustomizeFailed", message: /^app: kustomize build failed: /, files: { "app/kustomization.yaml": "resources: [a.yaml\n" } },
  { name: "missing-base", kind: "kustomize", code: "KustomizeFailed", message: /^app: kustomize build failed: .*missing-base/, files: { "app/kustomization.yaml": kustomization(["a.yaml", "b.yaml", "../missing-base"]) } },
  { name: "remote-base", kind: "kustomize", code: "RemoteBaseRefused", message: /^app\/kustomization\.yaml: resources "https:\/\/github\.com\/org\/repo\/\/base\?ref=v1" is remote/, files: { "app/kustomization.yaml": kustomization(["a.yaml", "https://github.com/org/repo//base?ref=v1"]) } },
  { name: "escape", kind: "kustomize", code: "PathEscape", message: /^app\/kustomization\.yaml: resources "\.\.\/\.\.\/\.\.\/etc" is outside the repository/, files: { "app/kustomization.yaml": kustomization(["a.yaml", "../../../etc"]) } },
  { name: "symlink-out", kind: "kustomize", code: "SymlinkEscape", message: /^app\/passwd\.yaml: symlink resolves outside the repository/, symlinks: { "app/passwd.yaml": "/etc/passwd" } },
  {
    name: "template-error",
    kind: "helm",
    code: "HelmTemplateFailed",
    message: /^app\/templates\/broken\.yaml:4: helm template failed: .*nil pointer/,
    files: { "app/templates/broken.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Values.missing.key }}\n" },
  },
  {
    name: "missing-values",
    kind: "helm",
    code: "HelmTemplateFailed",
    message: /^app\/values-nope\.yaml: values file not found/,
    spec: (s) => ({ ...s, source: { ...s.source, helm: { valueFiles: ["values-nope.yaml"] } } }),
  },
  {
    name: "values-escape",
    kind: "helm",
    code: "PathEscape",
    message: /escapes the repository root/,
    spec: (s) => ({ ...s, source: { ...s.source, helm: { valueFiles: ["../../../etc/passwd"] } } }),
  },
  {
    name: "unvendored-dep",
    kind: "helm",
    code: "HelmTemplateFailed",
    message: /^app: helm template failed: .*missing in charts\/ directory: redis.*; vendor the dependencies into charts\//,
    files: { "app/Chart.yaml": "apiVersion: v2\nname: app\nversion: 0.1.0\ndependencies:\n  - name: redis\n    version: 1.0.0\n    repository: https://charts.example.com/stable\n" },
  },
  {
    name: "too-large",
    kind: "helm",
    code: "RenderTooLarge",
    message: /produced more than 262144 bytes/,
    files: { "app/templates/big.yaml": "{{- range $i := until 5000 }}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big-{{ $i }}\ndata:\n  pad: {{ repeat 100 \"x\" | quote }}\n{{- end }}\n" },
  },
  {
    name: "hangs",
    kind: "helm",
    code: "RenderTimeout",
    message: /did not finish within 8s/,
    files: { "app/templates/slow.yaml": "{{- range $i := until 100000 }}{{- range $j := until 100000 }}{{- end }}{{- end }}\n" },
  },
];

/** The codes of the operator's "reconcile failed" lines for an app. */
function failureCodes(name: string): string[] {
  return env.op.logs
    .flatMap((l) => l.split("\n"))
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { msg?: string; app?: string; code?: string })
    .filter((l) => l.msg === "reconcile failed" && l.app === `${env.ns}/${name}`)
    .map((l) => l.code ?? "");
}

describe("bad Kustomize and Helm input", () => {
  it.concurrent.for(cases)("$name: RenderFailed with $code, nothing live deleted", async (c, { expect }) => {
    const repoURL = await env.git.createRepo(c.name);
    const a = `${c.name}-a`;
    const b = `${c.name}-b`;
    const good =
      c.kind === "kustomize"
        ? { "app/kustomization.yaml": kustomization(["a.yaml", "b.yaml"]), "app/a.yaml": configMapYAML(a, { v: "1" }), "app/b.yaml": configMapYAML(b, { v: "1" }) }
        : chart({ "a.yaml": configMapYAML(a, { v: "{{ .Values.v }}" }), "b.yaml": configMapYAML(b, { v: "1" }) });
    const rev = await env.git.commit(c.name, { files: good });
    const spec: ApplicationSpec = { source: { repoURL, path: "app" }, destination: { namespace: env.ns }, interval: "1s", syncPolicy: automated };
    await applyApplication({ namespace: env.ns, name: c.name, spec });
    await waitForReady(env.ns, c.name, rev, 180_000);
    const live = async () => Promise.all([a, b].map(async (n) => (await getJSON<{ metadata: { uid: string }; data: unknown }>(["configmap", n, "-n", env.ns])) ?? null)).then((l) => l.map((o) => o && { uid: o.metadata.uid, data: o.data }));
    const before = await live();
    expect(before.every(Boolean)).toBe(true);
    if (c.files || c.symlinks) await env.git.commit(c.name, { files: c.files ?? {}, ...(c.symlinks ? { symlinks: c.symlinks } : {}) });
    if (c.spec) await applyApplication({ namespace: env.ns, name: c.name, spec: c.spec(spec) });
    const app = await waitForApp(env.ns, c.name, (x) => conditionOf(x, "Ready")?.reason === "RenderFailed", { timeoutMs: 120_000, what: `${c.name} RenderFailed` });
    expect(conditionOf(app, "Ready")?.message).toMatch(c.message);
    expect(failureCodes(c.name)).toContain(c.code);
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await live()).toEqual(before);
    const events = await kubectl(["get", "events", "-n", env.ns, "--field-selector", `involvedObject.name=${c.name}`, "-o", "jsonpath={.items[*].reason}"]);
    expect(events).not.toContain("Pruned");
    expect(((await getApplication(env.ns, c.name))?.status?.resources ?? []).map((r) => r.name).sort()).toEqual([a, b]);
  });
});
