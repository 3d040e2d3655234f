import { existsSync } from "node:fs";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { ConfigError } from "../errors.js";

/** Where the operator's Kubernetes credentials come from. */
export interface KubeConfigSource {
  /** Path to a kubeconfig file. */
  kubeconfig?: string;
  /**
   * A directory holding `token` and `ca.crt` (a ServiceAccount's mount), with
   * `server`: lets tests run the operator as a process with exactly the
   * ServiceAccount of deploy/.
   */
  serviceAccountDir?: string;
  server?: string;
}

const IN_CLUSTER_TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token";

/**
 * Loads credentials: an explicit ServiceAccount directory, then the in-cluster
 * config when running in a pod, then --kubeconfig / $KUBECONFIG / ~/.kube/config.
 */
export function loadKubeConfig(source: KubeConfigSource = {}): KubeConfig {
  const kc = new KubeConfig();
  if (source.serviceAccountDir) {
    const dir = source.serviceAccountDir;
    if (!source.server) throw new ConfigError("--service-account-dir needs --server (the API server URL)");
    for (const f of ["token", "ca.crt"]) {
      if (!existsSync(join(dir, f))) throw new ConfigError(`--service-account-dir ${dir} has no ${f}`);
    }
    kc.loadFromClusterAndUser(
      { name: "sa", server: source.server, caFile: join(dir, "ca.crt"), skipTLSVerify: false },
      { name: "sa", authProvider: { name: "tokenFile", config: { tokenFile: join(dir, "token") } } },
    );
    return kc;
  }
  if (!source.kubeconfig && process.env.KUBERNETES_SERVICE_HOST && existsSync(IN_CLUSTER_TOKEN)) {
    kc.loadFromCluster();
    return kc;
  }
  try {
    if (source.kubeconfig) kc.loadFromFile(source.kubeconfig);
    else kc.loadFromDefault();
  } catch (err) {
    throw new ConfigError(`cannot load kubeconfig ${source.kubeconfig ?? "(default)"}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (!kc.getCurrentCluster()) throw new ConfigError("kubeconfig has no current cluster; pass --kubeconfig");
  return kc;
}
