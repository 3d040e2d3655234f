import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Dispatcher, parseRetryAfter, type DeliveryOutcome } from "../../src/notify/dispatcher.js";
import { startReceiver, until, type Receiver } from "./receiver.js";

// The dispatcher against a real HTTP server on 127.0.0.1: retries what may
// succeed later, gives up on what never will, and never lets one receiver
// hold up the rest or the queue grow without bound.

let rx: Receiver;
beforeEach(async () => (rx = await startReceiver()));
afterEach(async () => rx.close());

const fast = { backoff: { baseMs: 10, maxMs: 50 } };
const request = (path = "/hook") => ({ url: `${rx.url}${path}`, headers: { "content-type": "application/json" }, body: '{"x":1}' });

describe("Dispatcher", () => {
  it("retries 500 twice and then counts exactly one accepted delivery", async () => {
    rx.respond((_r, n) => ({ status: n <= 2 ? 500 : 200 }));
    const d = new Dispatcher(fast);
    const outcomes: DeliveryOutcome[] = [];
    d.enqueue({ target: "t", request: request(), onDone: (o) => outcomes.push(o) });
    await until(() => outcomes.length === 1, "the delivery to finish");
    expect(outcomes[0]).toMatchObject({ ok: true, status: 200, attempts: 3 });
    expect(rx.received).toHaveLength(3);
    await new Promise((r) => setTimeout(r, 200));
    expect(rx.received).toHaveLength(3); // nothing after the success
    expect(d.depth).toBe(0);
    d.stop();
  });

  it("does not retry a 401 and reports it", async () => {
    rx.respond(() => ({ status: 401 }));
    const d = new Dispatcher(fast);
    const outcomes: DeliveryOutcome[] = [];
    d.enqueue({ target: "t", request: request(), onDone: (o) => outcomes.push(o) });
    await until(() => outcomes.length === 1, "the delivery to fail");
    expect(outcomes[0]).toMatchObject({ ok: false, status: 401, attempts: 1, error: expect.stringContaining("401") });
    await new Promise((r) => setTimeout(r, 200));
    expect(rx.received).toHaveLength(1);
    d.stop();
  });

  it("honours Retry-After on 429", async () => {
    rx.respond((_r, n) => (n === 1 ? { status: 429, headers: { "retry-after": "1" } } : { status: 200 }));
    const d = new Dispatcher({ backoff: { baseMs: 10, maxMs: 5_000 } });
    const outcomes: DeliveryOutcome[] = [];
    const t0 = Date.now();
    d.enqueue({ target: "t", request: request(), onDone: (o) => outcomes.push(o) });
    await until(() => outcomes.length === 1, "the delivery after Retry-After");
    expect(outcomes[0]).toMatchObject({ ok: true, attempts: 2 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950); // waited as told, not the 10 ms backoff
    d.stop();
  });

  it("retries network errors and gives up after maxAttempts", async () => {
    const dead = rx.url;
    await rx.close();
    const d = new Dispatcher({ ...fast, maxAttempts: 3 });
    const outcomes: DeliveryOutcome[] = [];
    d.enqueue({ target: "t", request: { url: `${dead}/x`, headers: {}, body: "{}" }, onDone: (o) => outcomes.push(o) });
    await until(() => outcomes.length === 1, "the delivery to give up");
    expect(outcomes[0]).toMatchObject({ ok: false, attempts: 3, error: expect.stringContaining("network error") });
    expect(outcomes[0]!.error).not.toContain(dead);
    rx = await startReceiver(); // for afterEach
  });

  it("a hung receiver holds only its own target's slots", async () => {
    const hung = await startReceiver();
    hung.respond(() => undefined);
    const d = new Dispatcher({ ...fast, perTarget: 1, timeoutMs: 60_000 });
    const outcomes: string[] = [];
    for (let i = 0; i < 3; i++) d.enqueue({ target: "hung", request: { url: `${hung.url}/h`, headers: {}, body: "{}" }, onDone: () => outcomes.push("hung") });
    d.enqueue({ target: "good", request: request(), onDone: (o) => outcomes.push(o.ok ? "good" : "bad") });
    await until(() => outcomes.includes("good"), "the good target's delivery");
    expect(hung.received).toHaveLength(1); // per-target concurrency 1: the others wait behind it
    d.stop();
    await hung.close();
  });

  it("keeps 10,000 queued events within the queue bound", async () => {
    rx.respond(() => undefined); // never answers: everything stays queued
    const d = new Dispatcher({ ...fast, maxQueued: 100, timeoutMs: 60_000 });
    let dropped = 0;
    for (let i = 0; i < 10_000; i++) d.enqueue({ target: `t${i % 7}`, request: request(), onDone: (o) => (dropped += o.dropped ? 1 : 0) });
    expect(d.depth).toBe(100);
    expect(dropped).toBe(9_900);
    d.stop();
  });

  it.each([
    ["5", 5_000],
    [null, undefined],
    ["soon", undefined],
  ])("reads Retry-After %j", (value, ms) => expect(parseRetryAfter(value)).toBe(ms));
});
