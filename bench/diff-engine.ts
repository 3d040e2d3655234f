import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import jsonPatch from "fast-json-patch";
import { parse } from "yaml";
import { compareObjects } from "../src/diff/index.js";
import type { KubeObject } from "../src/model/index.js";
import { row, type BenchRow } from "./report.js";

const FIXTURES = resolve(import.meta.dirname, "../test/fixtures/diff");

/** What the diff benchmark measured. */
export interface DiffEngineResult {
  /** normalize + compareObjects, objects per second. */
  plumbPerSecond: number;
  /** fast-json-patch compare of the raw pairs alone (no normalization), objects per second. */
  rawPerSecond: number;
  pairs: number;
}

interface Pair {
  live: KubeObject;
  desired: KubeObject;
}

function managedFields(manager: string, fields: unknown): unknown[] {
  return [
    { manager, operation: "Apply", apiVersion: "v1", time: "2025-01-10T09:00:00Z", fieldsType: "FieldsV1", fieldsV1: fields },
    { manager: "kube-controller-manager", operation: "Update", apiVersion: "v1", time: "2025-01-10T09:01:00Z", fieldsType: "FieldsV1", fieldsV1: { "f:metadata": { "f:annotations": {} } } },
  ];
}

function serverMeta(name: string, i: number): KubeObject["metadata"] {
  return { name, namespace: "bench", uid: `6f1c2f9e-5b0a-4a4e-9a57-${String(i).padStart(12, "0")}`, resourceVersion: String(40_000 + i), creationTimestamp: "2025-01-10T09:00:00Z" };
}

/** A ConfigMap as live (server metadata, managedFields) and as its dry-run answer. */
function configMapPair(i: number): Pair {
  const data = { version: "1", LOG_LEVEL: "info", FEATURE_FLAGS: "search,checkout,recommendations", "settings.json": `{"timeoutSeconds": 30, "retries": 3, "endpoint": "http://app-${i}:8080/api"}\n` };
  const labels = { "app.kubernetes.io/name": `app-${i}`, "plumb.dev/application": `app-${i}` };
  const annotations = { "plumb.dev/tracking-id": `bench/app-${i}:/ConfigMap:bench/app-${i}-cm` };
  const live: KubeObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { ...serverMeta(`app-${i}-cm`, i), labels, annotations, managedFields: managedFields("plumb", { "f:data": Object.fromEntries(Object.keys(data).map((k) => [`f:${k}`, {}])) }) }, data };
  return { live, desired: structuredClone(live) };
}

/** A Service with the fields the server defaults (clusterIP, protocol, sessionAffinity …). */
function servicePair(i: number): Pair {
  const live: KubeObject = {
    apiVersion: "v1",
    kind: "Service",
    metadata: { ...serverMeta(`app-${i}`, i), labels: { "app.kubernetes.io/name": `app-${i}` }, managedFields: managedFields("plumb", { "f:spec": { "f:ports": {}, "f:selector": {} } }) },
    spec: {
      clusterIP: `10.96.${i % 250}.${(i * 7) % 250}`, clusterIPs: [`10.96.${i % 250}.${(i * 7) % 250}`], internalTrafficPolicy: "Cluster", ipFamilies: ["IPv4"], ipFamilyPolicy: "SingleStack",
      ports: [{ name: "http", port: 80, protocol: "TCP", targetPort: 8080 }], selector: { "app.kubernetes.io/name": `app-${i}` }, sessionAffinity: "None", type: "ClusterIP",
    },
    status: { loadBalancer: {} },
  };
  return { live, desired: structuredClone(live) };
}

function fixture(name: string): KubeObject {
  return parse(readFileSync(join(FIXTURES, `${name}.yaml`), "utf8")) as KubeObject;
}

/** The mix of one bench app: a Deployment, a Service and 8 ConfigMaps, for `apps` apps. */
export function realisticPairs(apps: number): Pair[] {
  const live = fixture("deployment-live");
  const desired = fixture("deployment-dry-run");
  const pairs: Pair[] = [];
  for (let i = 0; i < apps; i++) {
    pairs.push({ live: structuredClone(live), desired: structuredClone(desired) }, servicePair(i));
    for (let c = 0; c < 8; c++) pairs.push(configMapPair(i * 8 + c));
  }
  return pairs;
}

function throughput(pairs: readonly Pair[], seconds: number, fn: (p: Pair) => unknown): number {
  for (const p of pairs.slice(0, 200)) fn(p); // warm up the JIT
  let done = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  while (performance.now() < until) {
    for (const p of pairs) fn(p);
    done += pairs.length;
  }
  return done / ((performance.now() - started) / 1000);
}

/**
 * Throughput of the drift check Plumb runs per object when the drift memory
 * cannot vouch for it: normalize both sides and compare (redaction included),
 * on realistic objects, in this process. The reference is fast-json-patch's
 * compare of the raw pairs, the diff without Plumb's normalization.
 */
export function measureDiffEngine(opts: { seconds: number }): DiffEngineResult {
  const pairs = realisticPairs(100);
  const check = pairs.map((p) => compareObjects({ live: p.live, desired: p.desired }).inSync);
  if (!check.every(Boolean)) throw new Error("diff benchmark fixtures are expected to be in sync");
  return {
    plumbPerSecond: throughput(pairs, opts.seconds, (p) => compareObjects({ live: p.live, desired: p.desired })),
    rawPerSecond: throughput(pairs, opts.seconds, (p) => jsonPatch.compare(p.live, p.desired)),
    pairs: pairs.length,
  };
}

/** The table rows of the diff benchmark. */
export function diffEngineRows(d: DiffEngineResult): BenchRow[] {
  return [row({ bench: "diff engine (in-process)", metric: "normalize + compare", plumb: d.plumbPerSecond, reference: d.rawPerSecond, referenceName: "raw fast-json-patch compare", unit: "obj/s" })];
}
