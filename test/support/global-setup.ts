import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

const REPO = resolve(import.meta.dirname, "../..");
const CLUSTER = join(REPO, "hack/cluster/cluster.sh");
const KUBECONFIG = join(REPO, ".cache/cluster/kubeconfig");
const KUBECTL = join(REPO, ".cache/cluster/bin/kubectl");

function clusterUp(): boolean {
  try {
    execFileSync(KUBECTL, ["--kubeconfig", KUBECONFIG, "get", "--raw", "/readyz"], { stdio: "ignore", timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

/**
 * Brings the real local cluster up once per test run (or reuses one that is
 * already running), installs the CRD, and stops the cluster afterwards only
 * if this run started it.
 */
export default function setup(): () => void {
  const wasUp = existsSync(KUBECTL) && clusterUp();
  if (!wasUp) execFileSync(CLUSTER, ["up"], { stdio: "inherit", timeout: 3_600_000 });
  execFileSync(KUBECTL, ["--kubeconfig", KUBECONFIG, "apply", "--server-side", "--force-conflicts", "-f", join(REPO, "deploy/crd")], { stdio: "inherit" });
  execFileSync(KUBECTL, ["--kubeconfig", KUBECONFIG, "wait", "--for=condition=Established", "crd/applications.plumb.dev", "--timeout=60s"], { stdio: "inherit" });
  return () => {
    if (!wasUp && !process.env.PLUMB_KEEP_CLUSTER) execFileSync(CLUSTER, ["down"], { stdio: "inherit" });
  };
}
