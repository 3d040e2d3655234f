import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { loadKubeConfig } from "../../src/kube/config.js";
import { RestClient } from "../../src/kube/rest.js";

const run = promisify(execFile);

/** Repository root. */
export const REPO = resolve(import.meta.dirname, "../..");
/** Admin kubeconfig of the local cluster (written by `make cluster-up`). */
export const KUBECONFIG = join(REPO, ".cache/cluster/kubeconfig");
/** kubectl of the cluster's exact version. */
export const KUBECTL = join(REPO, ".cache/cluster/bin/kubectl");

/** Runs kubectl as admin; resolves to stdout, rejects with stderr in the message. */
export async function kubectl(args: string[], opts: { input?: string } = {}): Promise<string> {
  const child = run(KUBECTL, ["--kubeconfig", KUBECONFIG, ...args], { maxBuffer: 64 * 1024 * 1024 });
  if (opts.input !== undefined) {
    child.child.stdin!.end(opts.input);
  }
  try {
    const { stdout } = await child;
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`kubectl ${args.join(" ")} failed: ${e.stderr || e.message}`, { cause: err });
  }
}

/** kubectl get -o json, parsed; undefined when NotFound. */
export async function getJSON<T = Record<string, unknown>>(args: string[]): Promise<T | undefined> {
  try {
    return JSON.parse(await kubectl(["get", ...args, "-o", "json"])) as T;
  } catch (err) {
    if (/NotFound|not found/.test((err as Error).message)) return undefined;
    throw err;
  }
}

/** An admin RestClient for the local cluster. */
export function adminRest(): RestClient {
  return new RestClient(loadKubeConfig({ kubeconfig: KUBECONFIG }));
}

/** Creates a fresh namespace named `<prefix>-<random>` and returns its name. */
export async function createNamespace(prefix: string): Promise<string> {
  const name = `${prefix}-${randomBytes(3).toString("hex")}`.toLowerCase().slice(0, 63);
  await kubectl(["create", "namespace", name]);
  // wait for the default ServiceAccount so pods can be admitted
  await waitFor(async () => (await getJSON(["serviceaccount", "default", "-n", name])) !== undefined, { timeoutMs: 30_000 });
  return name;
}

/** Polls `check` until it returns a truthy value; rejects with the last value after the timeout. */
export async function waitFor<T>(check: () => Promise<T> | T, opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {}): Promise<NonNullable<T>> {
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  let last: unknown;
  for (;;) {
    try {
      last = await check();
      if (last) return last as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${opts.what ?? "condition"}; last: ${last instanceof Error ? last.message : JSON.stringify(last)?.slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 250));
  }
}
