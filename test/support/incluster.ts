import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { isNotFound, type RestClient } from "../../src/kube/rest.js";
import { KUBECONFIG, KUBECTL, REPO, kubectl } from "./kube.js";
import { scratchDir } from "./scratch.js";

/** The namespace and ServiceAccount deploy/ installs. */
export const PLUMB_NAMESPACE = "plumb-system";
export const PLUMB_SERVICE_ACCOUNT = "plumb";

/** Runs kubectl as admin and keeps stdout, stderr (warnings) and the exit code. */
export function kubectlFull(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(KUBECTL, ["--kubeconfig", KUBECONFIG, ...args], { cwd: REPO, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** Installs deploy/ with server-side apply (idempotent, safe from parallel test files). */
export async function installDeploy(): Promise<void> {
  await kubectl(["apply", "--server-side", "--force-conflicts", "--field-manager=plumb-test", "-k", join(REPO, "deploy")]);
}

/** The API server URL of the local cluster. */
export function serverURL(): string {
  const kc = parse(readFileSync(KUBECONFIG, "utf8")) as { clusters: { cluster: { server: string } }[] };
  return kc.clusters[0]!.cluster.server;
}

/**
 * A directory laid out like a pod's ServiceAccount mount (token, ca.crt,
 * namespace) for `--service-account-dir`, with a freshly minted token of
 * `namespace/name`.
 */
export async function serviceAccountDir(namespace: string, name: string): Promise<string> {
  const token = (await kubectl(["create", "token", name, "-n", namespace, "--duration=1h"])).trim();
  const dir = scratchDir("plumb-sa-");
  writeFileSync(join(dir, "token"), token, { mode: 0o600 });
  writeFileSync(join(dir, "ca.crt"), readFileSync(join(REPO, ".cache/cluster/pki/ca.crt")));
  writeFileSync(join(dir, "namespace"), namespace);
  return dir;
}

/** The holder of a Lease ("" when released), or undefined when it does not exist. */
export async function leaseHolder(rest: RestClient, namespace: string, name: string): Promise<string | undefined> {
  try {
    const lease = await rest.request<{ spec?: { holderIdentity?: string } }>({ method: "GET", path: `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases/${name}` });
    return lease.spec?.holderIdentity ?? "";
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}
