import type { Clock } from "./ports.js";

/**
 * The real clock: wall time and Node timers that never keep the process
 * alive. Everything in sync/ that reads the time or waits goes through a
 * Clock, so tests can drive time with a fake one (or vi.useFakeTimers, which
 * this one honours because it looks the globals up on every call).
 */
export const systemClock: Clock = {
  now: () => new Date(),
  after(ms, fn) {
    const t = setTimeout(fn, ms);
    t.unref();
    return () => clearTimeout(t);
  },
  every(ms, fn) {
    const t = setInterval(fn, ms);
    t.unref();
    return () => clearInterval(t);
  },
};
