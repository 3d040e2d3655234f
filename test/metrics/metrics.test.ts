import { afterEach, describe, expect, it } from "vitest";
import { METRIC_NAMES, PlumbMetrics } from "../../src/metrics/index.js";
import { call, makeApp, startFakeApi, type FakeApi } from "../api/fakes.js";

function fedMetrics(): PlumbMetrics {
  const metrics = new PlumbMetrics();
  const degraded = makeApp({ namespace: "team-a", name: "web", status: { sync: { status: "OutOfSync" }, health: { status: "Degraded", message: "rollout stuck" } } });
  metrics.attach({
    apps: () => [degraded],
    queue: () => ({ depth: 3, active: 2 }),
    kubeRequests: () => ({ "GET configmaps": 10, "PATCH deployments.apps": 2, "DRYRUN deployments.apps": 5, "PUT leases.coordination.k8s.io": 3 }),
    git: () => ({ requests: 7, fetches: 1, bytes: 2048 }),
  });
  metrics.syncFinished("applied", 42);
  metrics.objectWritten("Deployment", "create");
  metrics.objectWritten("ConfigMap", "prune");
  metrics.gitOperation({ kind: "fetch", durationMs: 120 });
  metrics.gitOperation({ kind: "resolve", durationMs: 5, error: "GitUnreachable" });
  metrics.webhookReceived("github", "accepted");
  metrics.httpRequest("GET", "/api/v1/applications", 200);
  return metrics;
}

let running: FakeApi | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

describe("Prometheus metrics", () => {
  it("exposes every documented plumb_* name and the Node process metrics", async () => {
    const text = await fedMetrics().render();
    for (const name of METRIC_NAMES) expect(text, name).toMatch(new RegExp(`^# TYPE ${name} `, "m"));
    expect(text).toMatch(/^process_resident_memory_bytes /m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
  });

  it("reads state at scrape time: one 0/1 series per app and state, queue, API and Git counters", async () => {
    const text = await fedMetrics().render();
    expect(text).toContain('plumb_app_health_status{namespace="team-a",name="web",status="Degraded"} 1');
    expect(text).toContain('plumb_app_health_status{namespace="team-a",name="web",status="Healthy"} 0');
    expect(text).toContain('plumb_app_sync_status{namespace="team-a",name="web",status="OutOfSync"} 1');
    expect(text).toContain("plumb_reconcile_queue_depth 3");
    expect(text).toContain("plumb_reconcile_active 2");
    expect(text).toContain('plumb_kube_api_requests_total{verb="DRYRUN",resource="deployments.apps"} 5');
    expect(text).toContain('plumb_kube_api_requests_total{verb="PATCH",resource="deployments.apps"} 2');
    expect(text).toContain('plumb_kube_api_requests_total{verb="PUT",resource="leases.coordination.k8s.io"} 3');
    expect(text).toContain("plumb_git_requests_total 7");
    expect(text).toContain("plumb_git_received_bytes_total 2048");
  });

  it("counts syncs into a histogram whose buckets reach minutes", async () => {
    const text = await fedMetrics().render();
    expect(text).toContain('plumb_sync_total{result="applied"} 1');
    expect(text).toContain('plumb_sync_duration_seconds_bucket{le="30",result="applied"} 0');
    expect(text).toContain('plumb_sync_duration_seconds_bucket{le="60",result="applied"} 1');
    expect(text).toContain('plumb_sync_duration_seconds_bucket{le="600",result="applied"} 1');
    expect(text).toContain('plumb_apply_total{kind="Deployment",action="create"} 1');
    expect(text).toContain('plumb_prune_total{kind="ConfigMap"} 1');
    expect(text).toContain('plumb_git_operation_duration_seconds_count{operation="resolve",result="failure"} 1');
  });

  it("serves the registry on GET /metrics as Prometheus text", async () => {
    running = await startFakeApi({ apps: [makeApp({ namespace: "n", name: "a" })] });
    await call(`${running.url}/healthz`);
    const res = await fetch(`${running.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toContain('plumb_app_sync_status{namespace="n",name="a",status="Unknown"} 1');
    expect(text).toContain('plumb_http_requests_total{method="GET",route="/healthz",code="200"} 1');
  });

  it("keeps two registries apart, so two operators in one process do not collide", async () => {
    const a = new PlumbMetrics({ processMetrics: false });
    const b = new PlumbMetrics({ processMetrics: false });
    a.syncFinished("failed", 1);
    expect(await b.render()).not.toContain('result="failed"');
  });
});
