import { Writable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLogger } from "../../src/log.js";
import type { Application, ApplicationStatus } from "../../src/model/application.js";
import type { AppSource, NotifierStorePort } from "../../src/notify/ports.js";
import { NotificationService } from "../../src/notify/service.js";
import type { Notifier, NotifierSecret, NotifierStatus } from "../../src/notify/types.js";
import { startReceiver, until, type Receiver } from "./receiver.js";

// The service against fakes of its ports (apps, Notifier store) and a real
// HTTP receiver: status transitions become deliveries, once each.

const A = "a".repeat(40), B = "b".repeat(40);
const CANARY = "canary-7f3e9d-token";

class FakeApps implements AppSource {
  apps = new Map<string, Application>();
  listeners = new Set<(t: "add" | "update" | "delete", a: Application) => void>();
  list = () => [...this.apps.values()];
  subscribe(l: (t: "add" | "update" | "delete", a: Application) => void) {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  set(status: ApplicationStatus, ns = "ns-a", labels: Record<string, string> = {}) {
    const app: Application = { apiVersion: "plumb.dev/v1alpha1", kind: "Application", metadata: { name: "web", namespace: ns, labels }, spec: { source: { repoURL: "http://127.0.0.1:1/acme/web.git" } }, status };
    this.apps.set(`${ns}/web`, app);
    for (const l of this.listeners) l("update", app);
  }
}

class FakeNotifiers implements NotifierStorePort {
  notifiers: Notifier[] = [];
  secrets: Record<string, NotifierSecret> = {};
  start = async () => undefined;
  stop = async () => undefined;
  list = (ns: string) => this.notifiers.filter((n) => n.metadata.namespace === ns);
  secret = async (ns: string, name: string) => this.secrets[`${ns}/${name}`] ?? {};
  async writeStatus(n: Notifier, status: NotifierStatus) {
    n.status = JSON.parse(JSON.stringify(status)) as NotifierStatus;
  }
}

const ready = (revision: string): ApplicationStatus => ({ sync: { status: "Synced", revision }, lastHealthyRevision: revision, conditions: [{ type: "Ready", status: "True", reason: "Succeeded", message: "ok", lastTransitionTime: new Date().toISOString() }] });
const running = (revision: string, healthy?: string): ApplicationStatus => ({ ...(healthy ? ready(healthy) : {}), operationState: { phase: "Running", revision, startedAt: new Date().toISOString() } });

let rx: Receiver;
let apps: FakeApps;
let store: FakeNotifiers;
let logs: string[];
const services: NotificationService[] = [];
beforeEach(async () => {
  rx = await startReceiver();
  apps = new FakeApps();
  store = new FakeNotifiers();
  logs = [];
});
afterEach(async () => {
  for (const s of services.splice(0)) await s.stop();
  await rx.close();
});

function notifier(name: string, spec: Partial<Notifier["spec"]> = {}, ns = "ns-a"): Notifier {
  const n: Notifier = { apiVersion: "plumb.dev/v1alpha1", kind: "Notifier", metadata: { name, namespace: ns, uid: `uid-${name}`, creationTimestamp: "2020-01-01T00:00:00Z" }, spec: { type: "webhook", address: `${rx.url}/${name}`, secretRef: { name: "s" }, ...spec } };
  store.notifiers.push(n);
  return n;
}

async function service(): Promise<NotificationService> {
  const logger = createLogger({ level: "debug", destination: new Writable({ write: (c: Buffer, _e, cb) => (logs.push(c.toString()), cb()) }) });
  const s = new NotificationService({ apps, notifiers: store, logger, dispatcher: { backoff: { baseMs: 10, maxMs: 50 } } });
  services.push(s);
  s.start();
  await s.started;
  return s;
}

const events = (path?: string) => rx.received.filter((r) => !path || r.path === path).map((r) => JSON.parse(r.body) as { event: string; revision: string });

describe("NotificationService", () => {
  it("sends Progressing then Synced for a new revision, once each", async () => {
    notifier("all");
    await service();
    apps.set(running(B, A));
    apps.set(running(B, A)); // a progress write: same state
    apps.set(ready(B));
    apps.set(ready(B));
    await until(() => rx.received.length >= 2, "two deliveries");
    await new Promise((r) => setTimeout(r, 200));
    expect(events().map((e) => `${e.event}@${e.revision.slice(0, 1)}`)).toEqual(["Progressing@b", "Synced@b"]);
  });

  it("filters by selector and events, and never crosses namespaces", async () => {
    notifier("team-a", { selector: { matchLabels: { team: "a" } } });
    notifier("failures", { events: ["Failed"] });
    notifier("other-ns", {}, "ns-b");
    await service();
    apps.set(ready(A), "ns-a", { team: "a" });
    apps.set(ready(B), "ns-a", { team: "b" });
    await until(() => rx.received.length >= 1, "a delivery");
    await new Promise((r) => setTimeout(r, 300));
    expect(rx.received.map((r) => r.path)).toEqual(["/team-a"]);
  });

  it("does not repeat what a Notifier's status records after a leader change, and catches up what it lacks", async () => {
    const n = notifier("all");
    apps.set(ready(A));
    const first = await service();
    await until(() => n.status?.deliveries?.length === 1, "the catch-up delivery recorded"); // state entered after the Notifier was created
    await first.stop();
    await service(); // the next leader: same app state, status already records it
    apps.set(ready(A));
    await new Promise((r) => setTimeout(r, 300));
    expect(events()).toHaveLength(1);
  });

  it("reports a 401 in the Notifier's status, without retrying and without the token", async () => {
    rx.respond(() => ({ status: 401 }));
    store.secrets["ns-a/s"] = { token: CANARY, hmacKey: CANARY };
    const n = notifier("gh", { type: "github", address: `${rx.url}/api?key=${CANARY}` });
    await service();
    apps.set(ready(A));
    await until(() => !!n.status?.lastError, "lastError in status");
    expect(n.status?.conditions?.[0]).toMatchObject({ type: "Ready", status: "False", reason: "DeliveryFailed" });
    expect(n.status?.lastError?.message).toContain("401");
    await new Promise((r) => setTimeout(r, 300));
    expect(rx.received).toHaveLength(1);
    expect(rx.received[0]!.headers.authorization).toBe(`Bearer ${CANARY}`); // it was sent, to the receiver only
    expect(JSON.stringify(n.status)).not.toContain(CANARY);
    expect(logs.join("")).not.toContain(CANARY);
  });

  it("says in status when the Secret lacks the token", async () => {
    const n = notifier("gh", { type: "github", address: rx.url });
    await service();
    apps.set(ready(A));
    await until(() => !!n.status?.lastError, "lastError in status");
    expect(n.status?.conditions?.[0]).toMatchObject({ status: "False", reason: "TokenMissing" });
  });
});
