import type { Application } from "../model/application.js";
import { SpecError } from "../errors.js";
import { durationMs } from "./duration.js";

/** The longest wait a timer can hold (Node's setTimeout limit, about 24.8 days). */
export const MAX_DURATION_MS = 2 ** 31 - 1;

/**
 * Checks what the CRD schema cannot: durations that parse but cannot work
 * (zero, or longer than a timer can wait) and that an older or missing
 * schema let through unparsed. Throws a terminal SpecError naming the field,
 * so the app is Stalled until its spec changes.
 */
export function validateSpec(app: Application): void {
  const { spec } = app;
  const durations: Array<[field: string, text: string | undefined, positive: boolean]> = [
    ["spec.interval", spec.interval, true],
    ["spec.rollout.timeout", spec.rollout?.timeout, true],
    ["spec.syncPolicy.retry.backoff.duration", spec.syncPolicy?.retry?.backoff?.duration, false],
    ["spec.syncPolicy.retry.backoff.maxDuration", spec.syncPolicy?.retry?.backoff?.maxDuration, false],
  ];
  for (const [field, text, positive] of durations) {
    if (text === undefined || text === "") continue;
    let ms: number;
    try {
      ms = durationMs(text, 0);
    } catch (err) {
      throw new SpecError(`${field}: ${(err as Error).message}`, { data: { field, value: text }, cause: err });
    }
    if (positive && ms <= 0) throw new SpecError(`${field} is "${text}"; it must be longer than zero`, { data: { field, value: text } });
    if (ms > MAX_DURATION_MS) throw new SpecError(`${field} is "${text}"; the longest supported duration is 596h`, { data: { field, value: text } });
  }
}
