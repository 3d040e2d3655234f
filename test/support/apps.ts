import type { Application, ApplicationSpec, Condition } from "../../src/model/application.js";
import { getJSON, kubectl, waitFor } from "./kube.js";

/** Creates (or replaces) an Application with kubectl as admin. */
export async function applyApplication(opts: { namespace: string; name: string; spec: ApplicationSpec }): Promise<void> {
  const app = { apiVersion: "plumb.dev/v1alpha1", kind: "Application", metadata: { name: opts.name, namespace: opts.namespace }, spec: opts.spec };
  await kubectl(["apply", "--server-side", "--force-conflicts", "--field-manager=test", "-f", "-"], { input: JSON.stringify(app) });
}

/** Reads an Application. */
export async function getApplication(namespace: string, name: string): Promise<Application | undefined> {
  return getJSON<Application>(["applications.plumb.dev", name, "-n", namespace]);
}

/** A condition of an Application. */
export function conditionOf(app: Application | undefined, type: string): Condition | undefined {
  return app?.status?.conditions?.find((c) => c.type === type);
}

/** Waits until `check(app)` holds; returns the app. */
export async function waitForApp(namespace: string, name: string, check: (app: Application) => boolean, opts: { timeoutMs?: number; what?: string } = {}): Promise<Application> {
  return waitFor(
    async () => {
      const app = await getApplication(namespace, name);
      return app && check(app) ? app : undefined;
    },
    { timeoutMs: opts.timeoutMs ?? 90_000, what: opts.what ?? `Application ${namespace}/${name}`, intervalMs: 200 },
  );
}

/** Waits for Ready=True at `revision` (when given). */
export function waitForReady(namespace: string, name: string, revision?: string, timeoutMs?: number): Promise<Application> {
  return waitForApp(
    namespace,
    name,
    (a) => conditionOf(a, "Ready")?.status === "True" && (!revision || a.status?.sync?.revision === revision),
    { what: `${name} Ready${revision ? ` at ${revision.slice(0, 7)}` : ""}`, ...(timeoutMs ? { timeoutMs } : {}) },
  );
}

/** A minimal ConfigMap manifest. */
export function configMapYAML(name: string, data: Record<string, string>, extra = ""): string {
  const lines = Object.entries(data).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`);
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n${extra}data:\n${lines.join("\n")}\n`;
}

/** A Deployment manifest (no strategy, defaults left to the server). */
export function deploymentYAML(name: string, opts: { image?: string; replicas?: number; podLabels?: Record<string, string>; annotations?: Record<string, string>; progressDeadlineSeconds?: number; minReadySeconds?: number } = {}): string {
  const labels = { app: name, ...opts.podLabels };
  const ann = opts.annotations ? `  annotations:\n${Object.entries(opts.annotations).map(([k, v]) => `    ${k}: "${v}"`).join("\n")}\n` : "";
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
${ann}spec:
  replicas: ${opts.replicas ?? 2}
${opts.progressDeadlineSeconds ? `  progressDeadlineSeconds: ${opts.progressDeadlineSeconds}\n` : ""}${opts.minReadySeconds ? `  minReadySeconds: ${opts.minReadySeconds}\n` : ""}  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
${Object.entries(labels).map(([k, v]) => `        ${k}: "${v}"`).join("\n")}
    spec:
      containers:
        - name: main
          image: ${opts.image ?? "registry.example/web:1"}
          ports:
            - containerPort: 8080
`;
}

/** A Service manifest without type or clusterIP (both defaulted by the server). */
export function serviceYAML(name: string): string {
  return `apiVersion: v1
kind: Service
metadata:
  name: ${name}
spec:
  selector:
    app: ${name}
  ports:
    - port: 80
      targetPort: 8080
`;
}

/** A namespaced CRD of kind Widget in `group` whose `spec.size` has the given schema (e.g. `{type: integer, maximum: 10}`). */
export function widgetCRDYAML(group: string, sizeSchema = "{type: integer}"): string {
  return `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.${group}
spec:
  group: ${group}
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, listKind: WidgetList}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                size: ${sizeSchema}
`;
}
