import { createServer, connect, type Server, type Socket } from "node:net";
import { KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLeaderElection, type LeaderElection } from "../../../src/kube/leader.js";
import { RestClient } from "../../../src/kube/rest.js";
import { silentLogger } from "../../../src/log.js";
import { leaseHolder } from "../../support/incluster.js";
import { adminRest, createNamespace, KUBECONFIG, kubectl, waitFor } from "../../support/kube.js";

// startLeaderElection in-process against the real API server, with a TCP
// proxy in front of one contender to cut it off the network.

const rest = adminRest();
const running: LeaderElection[] = [];
let ns: string;

const timing = { leaseDurationSeconds: 4, renewDeadlineSeconds: 3, retryPeriodSeconds: 1 };

function contender(identity: string, leaseName: string, client: RestClient = rest) {
  const events: { what: "started" | "stopped"; at: number }[] = [];
  const le = startLeaderElection({
    rest: client,
    config: { ...timing, leaseName, leaseNamespace: ns, identity },
    logger: silentLogger(),
    onStartedLeading: () => events.push({ what: "started", at: Date.now() }),
    onStoppedLeading: () => events.push({ what: "stopped", at: Date.now() }),
  });
  running.push(le);
  return { le, events, identity };
}

/** A TCP proxy to the API server that can be cut like a network partition. */
async function startProxy(): Promise<{ rest: RestClient; cut: () => void; close: () => Promise<void> }> {
  const kc = new KubeConfig();
  kc.loadFromFile(KUBECONFIG);
  const target = new URL(kc.getCurrentCluster()!.server);
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => undefined);
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  const proxied = new KubeConfig();
  proxied.loadFromOptions({
    clusters: kc.clusters.map((c) => ({ ...c, server: `https://127.0.0.1:${port}` })),
    users: kc.users,
    contexts: kc.contexts,
    currentContext: kc.currentContext,
  });
  const cut = () => {
    server.close();
    for (const s of sockets) s.destroy();
  };
  return { rest: new RestClient(proxied), cut, close: async () => cut() };
}

beforeAll(async () => {
  ns = await createNamespace("lease");
});

afterAll(() => {
  for (const le of running) le.stop();
  rest.close();
});

describe("startLeaderElection", () => {
  it("elects exactly one of several contenders racing for a new Lease", async () => {
    const all = ["c1", "c2", "c3"].map((id) => contender(id, "race"));
    await waitFor(() => all.some((c) => c.le.isLeader()), { what: "a leader", timeoutMs: 15_000 });
    await new Promise((r) => setTimeout(r, 2_500)); // several renew/retry rounds
    const leaders = all.filter((c) => c.le.isLeader());
    expect(leaders).toHaveLength(1);
    expect(await leaseHolder(rest, ns, "race")).toBe(leaders[0]!.identity);
    for (const c of all) c.le.stop();
  });

  it("steps down when renewals fail for the renew deadline, before another contender can acquire", async () => {
    const proxy = await startProxy();
    const a = contender("partitioned", "partition", proxy.rest);
    await waitFor(() => a.le.isLeader(), { what: "partitioned leads" });
    const b = contender("healthy", "partition");
    await new Promise((r) => setTimeout(r, 1_500));
    expect(b.le.isLeader()).toBe(false);
    const cutAt = Date.now();
    proxy.cut();
    await waitFor(() => b.le.isLeader(), { what: "healthy takes over", timeoutMs: 20_000 });
    const stopped = a.events.find((e) => e.what === "stopped");
    const started = b.events.find((e) => e.what === "started")!;
    console.log(`partitioned leader stepped down after ${stopped ? stopped.at - cutAt : "never"} ms; the other acquired after ${started.at - cutAt} ms`);
    expect(stopped).toBeDefined();
    expect(stopped!.at).toBeLessThan(started.at); // never two leaders at once
    expect(a.le.isLeader()).toBe(false);
    b.le.stop();
    proxy.rest.close();
  });

  it("steps down at once when another holder has taken the Lease", async () => {
    const a = contender("owner", "stolen");
    await waitFor(() => a.le.isLeader(), { what: "owner leads" });
    const now = new Date().toISOString().replace("Z", "000Z");
    await kubectl(["patch", "lease", "stolen", "-n", ns, "--type=merge", "-p", JSON.stringify({ spec: { holderIdentity: "thief", renewTime: now, leaseDurationSeconds: 60 } })]);
    await waitFor(() => a.events.some((e) => e.what === "stopped"), { what: "owner steps down", timeoutMs: 5_000 });
    expect(a.le.isLeader()).toBe(false);
    expect(await leaseHolder(rest, ns, "stolen")).toBe("thief");
  });

  it("hands the Lease back on release, so a waiting contender takes it within a retry period", async () => {
    const a = contender("first", "release");
    await waitFor(() => a.le.isLeader(), { what: "first leads" });
    const b = contender("second", "release");
    await new Promise((r) => setTimeout(r, 1_500));
    const began = Date.now();
    await a.le.release();
    expect(a.le.isLeader()).toBe(false);
    await waitFor(() => b.le.isLeader(), { what: "second takes over", timeoutMs: 10_000, intervalMs: 20 });
    console.log(`release → next leader: ${Date.now() - began} ms`);
    expect(a.events.some((e) => e.what === "stopped")).toBe(false); // a voluntary release is not a loss
    b.le.stop();
  });
});
