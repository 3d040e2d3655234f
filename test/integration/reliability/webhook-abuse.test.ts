import { Agent, request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signBody } from "../../../src/api/index.js";
import { applyApplication, configMapYAML, getApplication, waitForReady } from "../../support/apps.js";
import { startGitServer, type GitServer } from "../../support/git-server.js";
import { createNamespace } from "../../support/kube.js";
import { startPlumb, type PlumbProcess } from "./harness.js";

// Abuse of POST /api/v1/webhooks/git on the real operator process: missing,
// wrong and replayed signatures, tampered and oversize bodies, malformed
// JSON, then a flood of 1,000 requests/s for 10 s (bounded: it stops by
// itself) mixing all of those with replays of a valid push. Every request
// must get its right answer, RSS must stay bounded, and an app must still
// sync a real push made during the flood.

const SECRET = "webhook-abuse-secret";
let git: GitServer;
let op: PlumbProcess;
let ns: string;
let repoURL: string;

beforeAll(async () => {
  git = await startGitServer();
  ns = await createNamespace("hookabuse");
  op = await startPlumb({ namespace: ns, env: { PLUMB_WEBHOOK_SECRET: SECRET } });
  repoURL = await git.createRepo("victim");
  const rev = await git.commit("victim", { files: { "cm.yaml": configMapYAML("victim", { v: "0" }) } });
  // an hour between polls: only webhooks make it notice a push
  await applyApplication({ namespace: ns, name: "victim", spec: { source: { repoURL }, destination: { namespace: ns }, interval: "1h", syncPolicy: { automated: { prune: true, selfHeal: true } } } });
  await waitForReady(ns, "victim", rev);
});

afterAll(async () => {
  agent.destroy();
  await op?.stop();
  await git?.stop();
});

const HOOK = "/api/v1/webhooks/git";
const pushBody = (revision?: string) => JSON.stringify({ repoURL, ...(revision ? { revision } : {}) });

// plain node:http with a pooled keep-alive agent: lighter than fetch, so the flood is limited by the server, not the client
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

function post(body: string | Buffer, headers: Record<string, string> = {}): Promise<{ status: number; code?: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${op.url}${HOOK}`, { method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", reject);
      res.on("end", () => {
        let code: string | undefined;
        try {
          code = (JSON.parse(Buffer.concat(chunks).toString("utf8")) as { error?: { code?: string } }).error?.code;
        } catch {
          code = undefined;
        }
        resolve({ status: res.statusCode ?? 0, ...(code ? { code } : {}) });
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

const signed = (body: string | Buffer) => ({ "x-plumb-signature": signBody(SECRET, body) });

describe("webhook abuse", () => {
  it.each<[string, () => Promise<{ status: number; code?: string }>, { status: number; code?: string }]>([
    ["a missing signature", () => post(pushBody()), { status: 401, code: "MissingSignature" }],
    ["a signature made with another secret", () => post(pushBody(), { "x-plumb-signature": signBody("guess", pushBody()) }), { status: 401, code: "InvalidSignature" }],
    ["a replayed body with another request's signature", () => post(pushBody(), signed(pushBody("0".repeat(40)))), { status: 401, code: "InvalidSignature" }],
    ["a body tampered with after signing", () => post(pushBody().replace("}", ' }'), signed(pushBody())), { status: 401, code: "InvalidSignature" }],
    ["a signature that is not hex", () => post(pushBody(), { "x-plumb-signature": "sha256=zz" }), { status: 401, code: "InvalidSignature" }],
    ["a GitHub push with a sha1 signature", () => post(pushBody(), { "x-github-event": "push", "x-hub-signature": "sha1=00" }), { status: 401, code: "MissingSignature" }],
    ["a GitLab push with the wrong token", () => post(pushBody(), { "x-gitlab-event": "Push Hook", "x-gitlab-token": "nope" }), { status: 401, code: "InvalidSignature" }],
    ["a 2 MiB body", () => post(Buffer.alloc(2 << 20, 0x20), signed(Buffer.alloc(2 << 20, 0x20))), { status: 413, code: "PayloadTooLarge" }],
    ["malformed JSON, signed", () => post("{not json", signed("{not json")), { status: 400, code: "InvalidJSON" }],
    ["a JSON array, signed", () => post("[1,2]", signed("[1,2]")), { status: 400, code: "BadRequest" }],
    ["a push naming no repository, signed", () => post("{}", signed("{}")), { status: 400, code: "BadRequest" }],
  ])("answers %s correctly", async (_label, send, want) => {
    expect(await send()).toEqual(want);
  });

  it("answers 1,000 requests/s for 10 s correctly, keeps RSS bounded, and still syncs a push made meanwhile", async () => {
    const replay = pushBody();
    const replaySig = signed(replay);
    const big = Buffer.alloc(256 * 1024, 0x61);
    const badSig = { "x-plumb-signature": signBody("attacker", replay) };
    const malformedSig = signed("{oops");
    const kinds = [
      { name: "bad signature", expect: 401, send: () => post(replay, badSig) },
      { name: "valid replay", expect: 202, send: () => post(replay, replaySig) },
      { name: "malformed JSON", expect: 400, send: () => post("{oops", malformedSig) },
      { name: "256 KiB unsigned", expect: 401, send: () => post(big) },
    ];
    const mix = [0, 0, 0, 0, 1, 1, 1, 1, 2, 3];
    const counts = new Map<string, number>();
    const wrong: string[] = [];
    const rss: number[] = [];
    const rssBefore = op.rss().nowMiB;
    const inflight = new Set<Promise<void>>();
    let sent = 0;
    const started = performance.now();
    // 10,000 requests at up to 1,000/s; a busy machine may need longer to send them (bounded: 2 min)
    const total = 10_000;
    const maxMs = 120_000;
    let pushedRev: string | undefined;
    let readyAfterMs: number | undefined;
    // a real push three seconds in: the app must sync it while the flood goes on
    const realPush = (async () => {
      await new Promise((r) => setTimeout(r, 3_000));
      pushedRev = await git.commit("victim", { files: { "cm.yaml": configMapYAML("victim", { v: "during-flood" }) } });
      const pushedAt = performance.now();
      const body = pushBody(pushedRev);
      expect((await post(body, signed(body))).status).toBe(202);
      await waitForReady(ns, "victim", pushedRev, 60_000);
      readyAfterMs = performance.now() - pushedAt;
      return performance.now() - started;
    })();
    const sampler = setInterval(() => rss.push(op.rss().nowMiB), 250);
    try {
      for (let tick = 0; sent < total && performance.now() - started < maxMs; tick++) {
        // catch up to 1,000/s whatever the timer granularity
        const due = Math.min(total, Math.floor(performance.now() - started)) - sent;
        for (let i = 0; i < due; i++) {
          const kind = kinds[mix[sent % mix.length]!]!;
          sent++;
          const p: Promise<void> = kind
            .send()
            .then((r) => {
              counts.set(`${kind.name} → ${r.status}`, (counts.get(`${kind.name} → ${r.status}`) ?? 0) + 1);
              if (r.status !== kind.expect && wrong.length < 20) wrong.push(`${kind.name}: ${r.status}`);
            })
            .catch((err: unknown) => void (wrong.length < 20 && wrong.push(`${kind.name}: ${(err as Error).message} ${String((err as { cause?: unknown }).cause)}`)))
            .finally(() => inflight.delete(p));
          inflight.add(p);
        }
        // never more than 5,000 outstanding
        while (inflight.size > 5_000) await Promise.race(inflight);
        await new Promise((r) => setTimeout(r, 5));
      }
      await Promise.all(inflight);
    } finally {
      clearInterval(sampler);
    }
    const elapsed = performance.now() - started;
    const syncedAtMs = await realPush;
    const peak = Math.max(...rss);
    const after = op.rss();
    console.log(
      `webhook flood (${op.build}): ${sent} requests in ${(elapsed / 1000).toFixed(1)} s (${Math.round(sent / (elapsed / 1000))}/s); ` +
        `answers ${JSON.stringify(Object.fromEntries(counts))}; RSS before ${rssBefore} MiB, peak ${peak} MiB, after ${after.nowMiB} MiB (VmHWM ${after.peakMiB} MiB); ` +
        `a push made 3 s in was Ready ${Math.round(readyAfterMs!)} ms later (${(syncedAtMs / 1000).toFixed(1)} s into the flood)`,
    );
    expect(wrong).toEqual([]);
    expect(sent).toBe(total);
    expect(peak).toBeLessThan(1024); // a sanity bound, not a budget
    expect((await getApplication(ns, "victim"))?.status?.sync?.revision).toBe(pushedRev);
    expect(op.child.exitCode).toBeNull();
  });
});
