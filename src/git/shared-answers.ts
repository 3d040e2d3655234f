import { BoundedMap } from "./bounded-map.js";

/**
 * Ref listings shared between callers: an answer the server gave to a
 * listing sent at or after a caller's `since` (epoch ms) is good enough for
 * it, whether it has arrived or is still under way. An older answer never
 * overwrites a newer one, and a failed listing is not remembered.
 */
export class SharedAnswers {
  #answers: BoundedMap<string, { sha: string; at: number }>;
  #asking = new Map<string, { answer: Promise<string>; at: number }>();
  #now: () => number;

  constructor(opts: { limit?: number; now?: () => number } = {}) {
    this.#answers = new BoundedMap(opts.limit ?? 4096);
    this.#now = opts.now ?? Date.now;
  }

  /** The answer for `key` given at or after `since` (default: now), asking with `ask` when there is none. */
  get(key: string, since: number | undefined, ask: () => Promise<string>): Promise<string> {
    const after = since ?? this.#now();
    const recent = this.#answers.get(key);
    if (recent && recent.at >= after) return Promise.resolve(recent.sha);
    const asking = this.#asking.get(key);
    if (asking && asking.at >= after) return asking.answer;
    const at = this.#now();
    const answer = ask()
      .then((sha) => {
        if ((this.#answers.get(key)?.at ?? -Infinity) <= at) this.#answers.set(key, { sha, at });
        return sha;
      })
      .finally(() => {
        if (this.#asking.get(key)?.answer === answer) this.#asking.delete(key);
      });
    this.#asking.set(key, { answer, at });
    return answer;
  }
}
