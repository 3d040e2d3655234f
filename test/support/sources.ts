/**
 * Kustomize overlays and Helm charts as teams write them, as file maps for
 * GitServer.commit, plus the paths of the kustomize and helm binaries that
 * `make tools` built.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { parse } from "yaml";
import { getJSON, kubectl, REPO } from "./kube.js";
import type { TestOperator } from "./operator.js";

/** The binaries `make tools` links into the repository. */
export const KUSTOMIZE = join(REPO, ".cache/tools/bin/kustomize");
export const HELM = join(REPO, ".cache/tools/bin/helm");

/**
 * base + components/monitoring + overlays/dev and overlays/prod: strategic
 * merge and JSON6902 patches, images, namePrefix, a component, and a
 * configMapGenerator whose hash-suffixed name the Deployment references.
 */
export function overlayRepo(opts: { color?: string; prodReplicas?: number } = {}): Record<string, string> {
  return {
    "base/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - deployment.yaml
  - service.yaml
configMapGenerator:
  - name: web-config
    literals:
      - color=${opts.color ?? "blue"}
labels:
  - pairs: {app.kubernetes.io/name: web}
`,
    "base/deployment.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  minReadySeconds: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: main
          image: registry.example/web:1
          envFrom:
            - configMapRef: {name: web-config}
          ports:
            - containerPort: 8080
`,
    "base/service.yaml": `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
    - port: 80
      targetPort: 8080
`,
    "components/monitoring/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
patches:
  - target: {kind: Deployment}
    patch: |-
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: any
        annotations:
          prometheus.io/scrape: "true"
`,
    "overlays/dev/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namePrefix: dev-
resources:
  - ../../base
images:
  - name: registry.example/web
    newTag: "2-dev"
`,
    "overlays/prod/kustomization.yaml": `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namePrefix: prod-
resources:
  - ../../base
components:
  - ../../components/monitoring
images:
  - name: registry.example/web
    newName: registry.example/web-prod
    newTag: "2"
patches:
  - path: replicas.yaml
  - path: resources.json6902.yaml
    target: {group: apps, version: v1, kind: Deployment, name: web}
`,
    "overlays/prod/replicas.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: ${opts.prodReplicas ?? 3}
`,
    "overlays/prod/resources.json6902.yaml": `- op: add
  path: /spec/template/spec/containers/0/env
  value:
    - {name: TIER, value: prod}
`,
  };
}

/** A Helm chart in Git: _helpers.tpl, per-env values files, a Deployment, a Service, a ConfigMap. */
export function chartRepoFiles(opts: { dir?: string; version?: string; replicas?: number; prodExtra?: string } = {}): Record<string, string> {
  const d = opts.dir ?? "charts/web";
  return {
    [`${d}/Chart.yaml`]: `apiVersion: v2\nname: web\nversion: ${opts.version ?? "1.0.0"}\nappVersion: "1.0"\n`,
    [`${d}/values.yaml`]: `replicaCount: ${opts.replicas ?? 1}\nimage:\n  repository: registry.example/web\n  tag: "1"\ncolor: blue\nservice:\n  port: 80\n`,
    [`${d}/values-dev.yaml`]: "color: green\n",
    [`${d}/values-prod.yaml`]: `replicaCount: 2\ncolor: red\n${opts.prodExtra ?? ""}`,
    [`${d}/templates/_helpers.tpl`]: `{{- define "web.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- define "web.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}
`,
    [`${d}/templates/deployment.yaml`]: `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "web.fullname" . }}
  labels:
    {{- include "web.labels" . | nindent 4 }}
spec:
  replicas: {{ .Values.replicaCount }}
  minReadySeconds: 1
  selector:
    matchLabels:
      {{- include "web.labels" . | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "web.labels" . | nindent 8 }}
      annotations:
        checksum/config: {{ .Values.color | sha256sum | trunc 12 }}
    spec:
      containers:
        - name: web
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          env:
            - name: COLOR
              value: {{ .Values.color | quote }}
          ports:
            - name: http
              containerPort: 8080
          resources:
            requests:
              cpu: "1"
              memory: 64Mi
            limits:
              cpu: 1000m
`,
    [`${d}/templates/service.yaml`]: `apiVersion: v1
kind: Service
metadata:
  name: {{ include "web.fullname" . }}
spec:
  type: ClusterIP
  selector:
    {{- include "web.labels" . | nindent 4 }}
  ports:
    - port: {{ .Values.service.port }}
      targetPort: http
      protocol: TCP
`,
    [`${d}/templates/configmap.yaml`]: `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "web.fullname" . }}
data:
  color: {{ .Values.color | quote }}
  {{- if .Capabilities.APIVersions.Has "plumb.dev/v1alpha1/Application" }}
  plumb: "served"
  {{- else }}
  plumb: "absent"
  {{- end }}
  kubeVersion: {{ .Capabilities.KubeVersion.Version | quote }}
`,
    [`${d}/templates/tests/test-connection.yaml`]: `apiVersion: v1
kind: Pod
metadata:
  name: {{ include "web.fullname" . }}-test
  annotations:
    "helm.sh/hook": test
spec:
  restartPolicy: Never
  containers:
    - name: wget
      image: busybox
      command: ["wget", "{{ include "web.fullname" . }}:{{ .Values.service.port }}"]
`,
  };
}

/**
 * Forces `times` full re-syncs of a synced app (drift memory forgotten, so
 * every object is dry-run applied and compared again) and returns the API
 * writes (POST/PUT/PATCH/DELETE) and dry-runs they made.
 */
export async function forcedResyncWrites(op: TestOperator, app: { namespace: string; name: string }, times = 3): Promise<{ writes: number; dryRuns: number }> {
  const before = { ...op.rest.counts };
  // a forced comparison: no vouching from memory, nor from the syncHash recorded in status
  const drift = op.ctx.drift;
  const vouchesFor = drift.vouchesFor.bind(drift);
  drift.vouchesFor = () => false;
  try {
    for (let i = 0; i < times; i++) {
      drift.forgetApp(`${app.namespace}/${app.name}`);
      if (!op.controller.request(app.namespace, app.name, { manual: true })) throw new Error(`${app.namespace}/${app.name} is not known to the operator`);
      await new Promise((r) => setTimeout(r, 2000));
    }
  } finally {
    drift.vouchesFor = vouchesFor;
  }
  const delta = (verb: string) => (op.rest.counts[verb] ?? 0) - (before[verb] ?? 0);
  return { writes: ["POST", "PUT", "PATCH", "DELETE"].reduce((n, v) => n + delta(v), 0), dryRuns: delta("DRYRUN") };
}

/**
 * The local cluster is shared by work trees whose test runs each apply their
 * own CRD; this adds the source fields this one needs (chart, kustomize,
 * helm) to the live CRD when they are missing, without removing anything
 * another tree added.
 */
export async function ensureSourceFields(): Promise<void> {
  const crdFile = parse(readFileSync(join(REPO, "deploy/crd/applications.plumb.dev.yaml"), "utf8")) as CRD;
  const live = await getJSON<CRD>(["crd", "applications.plumb.dev"]);
  const ours = sourceProperties(crdFile, 0);
  const ops: unknown[] = [];
  live?.spec.versions.forEach((v, i) => {
    const have = v.schema.openAPIV3Schema.properties.spec.properties.source.properties;
    for (const field of ["chart", "kustomize", "helm"]) {
      if (!have[field]) ops.push({ op: "add", path: `/spec/versions/${i}/schema/openAPIV3Schema/properties/spec/properties/source/properties/${field}`, value: ours[field] });
    }
  });
  if (ops.length) await kubectl(["patch", "crd", "applications.plumb.dev", "--type=json", "-p", JSON.stringify(ops)]);
}

interface CRD {
  spec: { versions: Array<{ schema: { openAPIV3Schema: { properties: { spec: { properties: { source: { properties: Record<string, unknown> } } } } } } }> };
}

function sourceProperties(crd: CRD, version: number): Record<string, unknown> {
  return crd.spec.versions[version]!.schema.openAPIV3Schema.properties.spec.properties.source.properties;
}

/**
 * Keeps the source fields in the shared cluster's CRD for the whole test
 * file (another tree's test run may re-apply its own CRD meanwhile).
 */
export function guardSourceFields(): void {
  let timer: NodeJS.Timeout | undefined;
  beforeAll(async () => {
    await ensureSourceFields();
    timer = setInterval(() => void ensureSourceFields().catch(() => undefined), 1000);
  });
  afterAll(() => clearInterval(timer));
}
