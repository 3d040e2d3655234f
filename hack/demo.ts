// `make demo`: the whole loop on this machine. Starts the local cluster, a
// Git server and the operator, pushes a sample app and shows it become
// Synced/Healthy, rolls out a change (via a signed webhook), then pushes a
// broken rollout and shows Plumb roll it back. Ctrl-C stops everything it
// started. PLUMB_DEMO_EXIT=1 ends after the story (used by the e2e test).
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startGitServer, type GitServer } from "../test/support/git-server.js";

const REPO = resolve(import.meta.dirname, "..");
const KUBECONFIG = join(REPO, ".cache/cluster/kubeconfig");
const KUBECTL = join(REPO, ".cache/cluster/bin/kubectl");
const NS = "plumb-demo";
const SECRET = "demo-webhook-secret";
const PORT = Number(process.env.PLUMB_DEMO_PORT ?? 8089);

const say = (msg: string) => console.log(`\n\x1b[1;36m▶ ${msg}\x1b[0m`);
const kubectl = (...args: string[]) => execFileSync(KUBECTL, ["--kubeconfig", KUBECONFIG, ...args], { encoding: "utf8" });
const show = (...args: string[]) => process.stdout.write(kubectl(...args));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function clusterRunning(): boolean {
  try {
    kubectl("get", "--raw", "/readyz");
    return true;
  } catch {
    return false;
  }
}

function manifests(image: string, opts: { broken?: boolean } = {}): Record<string, string> {
  const podLabels = opts.broken ? `\n        kwok.plumb.dev/ready: "false"` : "";
  return {
    "guestbook/deployment.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  progressDeadlineSeconds: 15
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels:
        app: web${podLabels}
    spec:
      containers:
        - name: web
          image: ${image}
          ports: [{containerPort: 8080}]
`,
    "guestbook/service.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: 8080}]\n",
    "guestbook/config.yaml": `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-settings\ndata:\n  greeting: "hello from Git"\n  image: "${image}"\n`,
  };
}

function appStatus(): { sync?: string; health?: string; revision?: string; ready?: string; reason?: string; message?: string } {
  const a = JSON.parse(kubectl("get", "app", "guestbook", "-n", NS, "-o", "json")) as {
    status?: { sync?: { status?: string; revision?: string }; health?: { status?: string }; conditions?: { type: string; status: string; reason: string; message: string }[] };
  };
  const ready = a.status?.conditions?.find((c) => c.type === "Ready");
  return { sync: a.status?.sync?.status, health: a.status?.health?.status, revision: a.status?.sync?.revision, ready: ready?.status, reason: ready?.reason, message: ready?.message };
}

type AppView = ReturnType<typeof appStatus>;

async function waitUntil(what: string, check: (s: AppView) => boolean, timeoutMs = 120_000): Promise<number> {
  const t0 = Date.now();
  let last = "";
  while (Date.now() - t0 < timeoutMs) {
    let line: string;
    try {
      const s = appStatus();
      line = `   sync=${s.sync ?? "-"} health=${s.health ?? "-"} ready=${s.ready ?? "-"}${s.reason ? ` (${s.reason})` : ""} revision=${s.revision?.slice(0, 7) ?? "-"}`;
      if (check(s)) {
        console.log(line);
        return Date.now() - t0;
      }
    } catch {
      line = "   (waiting for the Application)";
    }
    if (line !== last) console.log(line);
    last = line;
    await sleep(250);
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function main(): Promise<void> {
  const started: { cluster: boolean; git?: GitServer; operator?: ChildProcess; cacheDir?: string } = { cluster: false };
  const cleanup = async () => {
    say("stopping what the demo started");
    if (started.operator && started.operator.exitCode === null) {
      const exited = new Promise((resolve) => started.operator!.once("exit", resolve));
      started.operator.kill("SIGTERM");
      await Promise.race([exited, sleep(10_000)]);
    }
    if (started.cacheDir) rmSync(started.cacheDir, { recursive: true, force: true });
    await started.git?.stop();
    if (started.cluster) execFileSync(join(REPO, "hack/cluster/cluster.sh"), ["down"], { stdio: "inherit" });
  };
  process.once("SIGINT", () => void cleanup().then(() => process.exit(0)));
  try {
    say("local cluster: etcd, kube-apiserver, controller-manager, scheduler, KWOK");
    if (!clusterRunning()) {
      execFileSync(join(REPO, "hack/cluster/cluster.sh"), ["up"], { stdio: "inherit" });
      started.cluster = true;
    }
    show("get", "nodes");
    kubectl("apply", "--server-side", "--force-conflicts", "-f", join(REPO, "deploy/crd"));
    kubectl("wait", "--for=condition=Established", "crd/applications.plumb.dev", "--timeout=60s");

    say("local Git server (git http-backend) with a sample app");
    const git = (started.git = await startGitServer());
    const repoURL = await git.createRepo("config");
    const v1 = await git.commit("config", { files: manifests("registry.example/guestbook:v1"), message: "guestbook v1" });
    console.log(`   ${repoURL} @ ${v1.slice(0, 7)}`);

    say(`operator: plumb operator --listen 127.0.0.1:${PORT} (logs in .cache/demo-operator.log)`);
    const { openSync } = await import("node:fs");
    const log = openSync(join(REPO, ".cache/demo-operator.log"), "w");
    started.operator = spawn(process.execPath, [join(REPO, "dist/cli/main.js"), "operator", "--kubeconfig", KUBECONFIG, "--leader-elect=false", "--namespace", NS, "--listen", `127.0.0.1:${PORT}`, "--cache-dir", (started.cacheDir = mkdtempSync(join(tmpdir(), "plumb-demo-")))], {
      env: { ...process.env, PLUMB_API_AUTH: "none", PLUMB_WEBHOOK_SECRET: SECRET },
      stdio: ["ignore", log, log],
    });
    for (let i = 0; i < 100; i++) {
      const ok = await fetch(`http://127.0.0.1:${PORT}/readyz`).then((r) => r.ok, () => false);
      if (ok) break;
      await sleep(200);
    }

    say(`Application guestbook in namespace ${NS}: automated sync, prune, self-heal, auto-rollback`);
    // a clean slate: a namespace left by an earlier demo goes first
    execFileSync(KUBECTL, ["--kubeconfig", KUBECONFIG, "delete", "namespace", NS, "--ignore-not-found", "--wait=true", "--timeout=120s"], { stdio: "ignore" });
    execFileSync(KUBECTL, ["--kubeconfig", KUBECONFIG, "apply", "-f", "-"], {
      input: JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name: NS } }),
    });
    execFileSync(KUBECTL, ["--kubeconfig", KUBECONFIG, "apply", "--server-side", "-f", "-"], {
      input: JSON.stringify({
        apiVersion: "plumb.dev/v1alpha1",
        kind: "Application",
        metadata: { name: "guestbook", namespace: NS },
        spec: {
          source: { repoURL, targetRevision: "main", path: "guestbook" },
          destination: { namespace: NS },
          interval: "1m",
          syncPolicy: { automated: { prune: true, selfHeal: true } },
          rollout: { timeout: "2m", autoRollback: true },
        },
      }),
    });
    const first = await waitUntil("Ready", (s) => s.ready === "True" && s.revision === v1);
    console.log(`   Ready in ${first} ms`);
    show("get", "app", "-n", NS);
    show("get", "deploy,rs,pods,svc,cm", "-n", NS);

    say("push a change (image v2) and announce it with a signed GitHub-style webhook");
    const v2 = await git.commit("config", { files: manifests("registry.example/guestbook:v2"), message: "guestbook v2" });
    const body = JSON.stringify({ ref: "refs/heads/main", after: v2, repository: { clone_url: repoURL } });
    const sig = "sha256=" + createHmac("sha256", SECRET).update(body).digest("hex");
    const res = await fetch(`http://127.0.0.1:${PORT}/api/v1/webhooks/git`, { method: "POST", body, headers: { "content-type": "application/json", "x-github-event": "push", "x-hub-signature-256": sig } });
    console.log(`   webhook answered ${res.status}`);
    const second = await waitUntil("v2 Ready", (s) => s.ready === "True" && s.revision === v2);
    console.log(`   push → Ready in ${second} ms (rollout of 3 replicas, health-gated)`);
    show("get", "deploy", "web", "-n", NS, "-o", "custom-columns=NAME:.metadata.name,IMAGE:.spec.template.spec.containers[0].image,READY:.status.readyReplicas");

    say("push a broken rollout (v3: pods never become Ready): Plumb detects it and rolls back to v2");
    await git.commit("config", { files: manifests("registry.example/guestbook:v3", { broken: true }), message: "guestbook v3 (broken)" });
    await fetch(`http://127.0.0.1:${PORT}/api/v1/webhooks/git`, { method: "POST", body, headers: { "content-type": "application/json", "x-github-event": "push", "x-hub-signature-256": sig } });
    await waitUntil("rollback", (s) => s.reason === "RolledBack" && s.health === "Healthy", 180_000);
    show("get", "deploy", "web", "-n", NS, "-o", "custom-columns=NAME:.metadata.name,IMAGE:.spec.template.spec.containers[0].image,READY:.status.readyReplicas");
    show("get", "events", "-n", NS, "--field-selector", "involvedObject.kind=Application", "--sort-by=.lastTimestamp");

    say("the HTTP API");
    console.log(JSON.stringify(await (await fetch(`http://127.0.0.1:${PORT}/api/v1/applications`)).json(), null, 2).slice(0, 1500));

    if (process.env.PLUMB_DEMO_EXIT) {
      await cleanup();
      return;
    }
    say(`demo running: API http://127.0.0.1:${PORT}/api/v1/applications, kubectl at ${KUBECTL} --kubeconfig ${KUBECONFIG}. Ctrl-C stops everything.`);
    await new Promise(() => undefined);
  } catch (err) {
    console.error(`demo failed: ${(err as Error).message}`);
    await cleanup();
    process.exit(1);
  }
}

await main();
