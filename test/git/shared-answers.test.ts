import { describe, expect, it } from "vitest";
import { SharedAnswers } from "../../src/git/shared-answers.js";

function harness() {
  let now = 1_000;
  const asks: { resolve: (sha: string) => void; reject: (e: Error) => void }[] = [];
  const answers = new SharedAnswers({ now: () => now });
  const ask = () => new Promise<string>((resolve, reject) => asks.push({ resolve, reject }));
  return { answers, asks, ask, tick: (ms: number) => (now += ms), now: () => now };
}

describe("SharedAnswers", () => {
  it("shares one listing among callers content with its age, arrived or still under way", async () => {
    const h = harness();
    const a = h.answers.get("k", h.now(), h.ask);
    const b = h.answers.get("k", h.now(), h.ask);
    expect(h.asks).toHaveLength(1);
    h.asks[0]!.resolve("sha1");
    await expect(Promise.all([a, b])).resolves.toEqual(["sha1", "sha1"]);
    await expect(h.answers.get("k", h.now() - 5, h.ask)).resolves.toBe("sha1");
    expect(h.asks).toHaveLength(1);
  });

  it("asks again for a caller that wants a newer answer (default: now)", async () => {
    const h = harness();
    const a = h.answers.get("k", undefined, h.ask);
    h.asks[0]!.resolve("sha1");
    await a;
    h.tick(10);
    const b = h.answers.get("k", undefined, h.ask);
    expect(h.asks).toHaveLength(2);
    h.asks[1]!.resolve("sha2");
    await expect(b).resolves.toBe("sha2");
  });

  it("never lets an older answer that arrives late overwrite a newer one", async () => {
    const h = harness();
    const old = h.answers.get("k", h.now(), h.ask);
    h.tick(10);
    const fresh = h.answers.get("k", h.now(), h.ask);
    h.asks[1]!.resolve("new");
    await fresh;
    h.asks[0]!.resolve("old");
    await old;
    await expect(h.answers.get("k", h.now() - 10, h.ask)).resolves.toBe("new");
  });

  it("remembers no failure: the next caller asks again", async () => {
    const h = harness();
    const a = h.answers.get("k", h.now(), h.ask);
    h.asks[0]!.reject(new Error("503"));
    await expect(a).rejects.toThrow("503");
    void h.answers.get("k", h.now(), h.ask);
    expect(h.asks).toHaveLength(2);
  });

  it("keeps answers per key", async () => {
    const h = harness();
    void h.answers.get("a", h.now(), h.ask);
    void h.answers.get("b", h.now(), h.ask);
    expect(h.asks).toHaveLength(2);
  });
});
