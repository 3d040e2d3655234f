/**
 * The benchmark's workload: an "app" is 10 objects (a Deployment with one
 * replica, a Service and 8 ConfigMaps), one file each, as a team would keep
 * them in Git. The same objects are applied with kubectl as the reference.
 */

/** Objects per app. */
export const OBJECTS_PER_APP = 10;
/** Repositories the apps of one scale are spread over. */
export const REPOS = 10;

/** Name of app `i` (zero-padded so names sort). */
export function appName(i: number): string {
  return `app-${String(i).padStart(4, "0")}`;
}

/** Path of app `i` inside its repository. */
export function appPath(i: number): string {
  return `apps/${appName(i)}`;
}

/** Index of the repository holding app `i`. */
export function repoOf(i: number): number {
  return i % REPOS;
}

/**
 * The manifests of one app as files (path inside the app directory → YAML).
 * `version` goes into one ConfigMap and the pod template, so changing it
 * changes two objects and rolls the Deployment out; `setting` goes into
 * another ConfigMap only (a change without a rollout). `namespace`, when
 * given, is written into every object (for kubectl; Plumb uses
 * destination.namespace).
 */
export function appManifests(name: string, opts: { version?: string; setting?: string; namespace?: string } = {}): Record<string, string> {
  const version = opts.version ?? "1";
  const setting = opts.setting ?? "1";
  const ns = opts.namespace ? `\n  namespace: ${opts.namespace}` : "";
  const files: Record<string, string> = {
    "deployment.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}${ns}
  labels:
    app.kubernetes.io/name: ${name}
spec:
  replicas: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: ${name}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: ${name}
      annotations:
        bench.plumb.dev/version: "${version}"
    spec:
      containers:
        - name: web
          image: registry.example/${name}:${version}
          ports:
            - containerPort: 8080
          envFrom:
            - configMapRef:
                name: ${name}-cm-0
          resources:
            requests: {cpu: 10m, memory: 32Mi}
`,
    "service.yaml": `apiVersion: v1
kind: Service
metadata:
  name: ${name}${ns}
  labels:
    app.kubernetes.io/name: ${name}
spec:
  selector:
    app.kubernetes.io/name: ${name}
  ports:
    - name: http
      port: 80
      targetPort: 8080
`,
  };
  for (let c = 0; c < OBJECTS_PER_APP - 2; c++) {
    files[`config-${c}.yaml`] = `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}-cm-${c}${ns}
  labels:
    app.kubernetes.io/name: ${name}
data:
  version: "${c === 0 ? version : c === 1 ? setting : "1"}"
  LOG_LEVEL: info
  FEATURE_FLAGS: "search,checkout,recommendations"
  settings.json: |
    {"timeoutSeconds": 30, "retries": 3, "endpoint": "http://${name}-backend:8080/api/v${c}", "cache": {"ttl": 600, "size": 1024}}
`;
  }
  return files;
}

/** The files of app `i` at `version`, keyed by their path in the repository. */
export function appFiles(i: number, version = "1"): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [file, text] of Object.entries(appManifests(appName(i), { version }))) out[`${appPath(i)}/${file}`] = text;
  return out;
}

/** All objects of apps `0..n-1` as one multi-document YAML stream for kubectl, in `namespaceOf(i)`. */
export function kubectlStream(n: number, namespaceOf: (i: number) => string): string {
  const docs: string[] = [];
  for (let i = 0; i < n; i++) docs.push(...Object.values(appManifests(appName(i), { namespace: namespaceOf(i) })));
  return docs.join("---\n");
}
