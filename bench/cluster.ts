import { spawn } from "node:child_process";
import { join, resolve } from "node:path";
import { loadKubeConfig } from "../src/kube/config.js";
import { startInformer, type Informer } from "../src/kube/informer.js";
import { isNotFound, RestClient } from "../src/kube/rest.js";
import { silentLogger } from "../src/log.js";
import type { Application, ApplicationSpec } from "../src/model/application.js";
import { mapLimit, sleep } from "./stats.js";

const REPO = resolve(import.meta.dirname, "..");
/** Where the local cluster keeps its state; its processes name it on their command lines. */
export const CLUSTER_DIR = join(REPO, ".cache/cluster/");
/** Admin kubeconfig of the local cluster. */
export const KUBECONFIG = join(REPO, ".cache/cluster/kubeconfig");
/** kubectl of the cluster's version. */
export const KUBECTL = join(REPO, ".cache/cluster/bin/kubectl");
/** Label on every namespace the benchmarks create, so leftovers can be found and removed. */
export const BENCH_LABEL = "bench.plumb.dev/run";

/** An admin client of the local cluster. */
export function adminRest(): RestClient {
  return new RestClient(loadKubeConfig({ kubeconfig: KUBECONFIG }));
}

/** Runs kubectl as admin; resolves to its stdout, wall time (ms) and CPU time (s, from the shell's `times`). */
export function kubectl(args: string[], opts: { input?: string } = {}): Promise<{ stdout: string; ms: number; cpuSeconds: number }> {
  const started = performance.now();
  // bash reports the CPU time of its children (kubectl) with `times` on stderr, last line
  const script = '"$0" "$@"; code=$?; times >&2; exit $code';
  return new Promise((resolvePromise, reject) => {
    const child = spawn("bash", ["-c", script, KUBECTL, "--kubeconfig", KUBECONFIG, ...args], { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) => {
      const ms = performance.now() - started;
      const lines = stderr.trimEnd().split("\n");
      const children = /^(\d+)m([\d.]+)s (\d+)m([\d.]+)s$/.exec(lines.at(-1) ?? "");
      const cpuSeconds = children ? Number(children[1]) * 60 + Number(children[2]) + Number(children[3]) * 60 + Number(children[4]) : Number.NaN;
      if (code === 0) resolvePromise({ stdout, ms, cpuSeconds });
      else reject(new Error(`kubectl ${args.slice(0, 4).join(" ")} … failed (${code}): ${lines.slice(0, -2).join("\n").slice(-1000)}`));
    });
    child.stdin.end(opts.input ?? "");
  });
}

/** Creates namespaces labelled for this benchmark run (idempotent). */
export async function createNamespaces(rest: RestClient, names: readonly string[], run: string): Promise<void> {
  await mapLimit(names, 8, async (name) => {
    await rest
      .request({ method: "POST", path: "/api/v1/namespaces", body: { apiVersion: "v1", kind: "Namespace", metadata: { name, labels: { [BENCH_LABEL]: run } } } })
      .catch((err: unknown) => {
        if ((err as { status?: number }).status !== 409) throw err;
      });
  });
}

/**
 * Deletes the namespaces of benchmark run `run` (or of every run) and, unless
 * `wait` is false, waits (up to `timeoutMs`) until they are gone; returns how
 * many there were.
 */
export async function deleteBenchNamespaces(rest: RestClient, opts: { timeoutMs?: number; run?: string; wait?: boolean } = {}): Promise<number> {
  const labelSelector = opts.run ? `${BENCH_LABEL}=${opts.run}` : BENCH_LABEL;
  const list = await rest.request<{ items: { metadata: { name: string } }[] }>({ method: "GET", path: "/api/v1/namespaces", query: { labelSelector } });
  const names = list.items.map((n) => n.metadata.name);
  await mapLimit(names, 8, (name) => rest.request({ method: "DELETE", path: `/api/v1/namespaces/${name}` }).catch(() => undefined));
  const deadline = Date.now() + (opts.timeoutMs ?? 600_000);
  for (const name of opts.wait === false ? [] : names) {
    while (Date.now() < deadline) {
      const gone = await rest.request({ method: "GET", path: `/api/v1/namespaces/${name}` }).then(() => false, (err: unknown) => isNotFound(err));
      if (gone) break;
      await sleep(1000);
    }
  }
  return names.length;
}

/** Creates Applications (in parallel, as a controller or `kubectl apply` of many would). */
export async function createApplications(rest: RestClient, namespace: string, apps: readonly { name: string; spec: ApplicationSpec }[]): Promise<void> {
  await mapLimit(apps, 16, (a) =>
    rest.request({
      method: "POST",
      path: `/apis/plumb.dev/v1alpha1/namespaces/${namespace}/applications`,
      body: { apiVersion: "plumb.dev/v1alpha1", kind: "Application", metadata: { name: a.name, namespace }, spec: a.spec },
    }),
  );
}

/** Whether an Application is Ready=True at `revision`. */
export function isReadyAt(app: Application, revision: string): boolean {
  return app.status?.sync?.revision === revision && app.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") === true;
}

/**
 * Watches the Applications of one namespace and notes, for each expected
 * (app, revision), the first moment it is Ready at that revision. Event
 * driven, so watching a thousand apps costs the API server one watch.
 */
export class ReadyWatch {
  #informer: Informer;
  #expected = new Map<string, string>();
  #readyAt = new Map<string, number>();
  #waiters = new Set<() => void>();
  readonly namespace: string;

  constructor(rest: RestClient, namespace: string) {
    this.namespace = namespace;
    this.#informer = startInformer({
      rest,
      path: `/apis/plumb.dev/v1alpha1/namespaces/${namespace}/applications`,
      apiVersion: "plumb.dev/v1alpha1",
      kind: "Application",
      logger: silentLogger(),
      onEvent: (type, obj) => {
        if (type !== "delete") this.#check(obj as Application);
      },
    });
  }

  /** Resolves once the watch has its first list. */
  get synced(): Promise<void> {
    return this.#informer.synced;
  }

  /** Expects `name` to become Ready at `revision` (forgets an earlier Ready). */
  expect(name: string, revision: string): void {
    this.#expected.set(name, revision);
    this.#readyAt.delete(name);
    const app = this.get(name);
    if (app) this.#check(app);
  }

  /** When `name` became Ready at the expected revision (Date.now ms). */
  readyAt(name: string): number | undefined {
    return this.#readyAt.get(name);
  }

  /** The cached Application. */
  get(name: string): Application | undefined {
    return this.#informer.get(name, this.namespace) as Application | undefined;
  }

  /** Waits until every named app is Ready at its expected revision; rejects after `timeoutMs` naming the laggards. */
  async waitReady(names: readonly string[], timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const missing = names.filter((n) => !this.#readyAt.has(n));
      if (!missing.length) return;
      const left = deadline - Date.now();
      if (left <= 0) {
        const sample = missing.slice(0, 3).map((n) => {
          const ready = this.get(n)?.status?.conditions?.find((c) => c.type === "Ready");
          return `${n}: ${ready ? `${ready.reason} ${ready.message}` : "no status"}`;
        });
        throw new Error(`${missing.length} app(s) not Ready within ${Math.round(timeoutMs / 1000)} s, e.g. ${sample.join("; ")}`);
      }
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.min(left, 1000));
        this.#waiters.add(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  stop(): Promise<void> {
    return this.#informer.stop();
  }

  #check(app: Application): void {
    const want = this.#expected.get(app.metadata.name);
    if (!want || this.#readyAt.has(app.metadata.name) || !isReadyAt(app, want)) return;
    this.#readyAt.set(app.metadata.name, Date.now());
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const w of waiters) w();
  }
}
