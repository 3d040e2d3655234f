import jsonPatch, { type Operation } from "fast-json-patch";
import type { IgnoreDifference, KubeObject } from "../model/index.js";
import { normalize } from "./normalize.js";
import { redactSecret, redactSecretPair } from "./redact.js";

/** Whether live matches desired, and the JSON patch (RFC 6902) from live to desired. */
export interface ObjectComparison {
  inSync: boolean;
  /** Secret values already redacted: safe to log, store or serve. */
  patch: Operation[];
}

/**
 * Compares a live object with the result of a server-side dry-run apply of
 * the desired one (so defaults, webhooks and admission already filled it in),
 * both normalized, so only real changes count as drift. A missing live object
 * is out of sync with a patch adding the whole object.
 */
export function compareObjects(opts: {
  live: KubeObject | undefined;
  desired: KubeObject;
  ignore?: readonly IgnoreDifference[];
}): ObjectComparison {
  const desired = normalize(opts.desired, opts);
  if (opts.live === undefined) return { inSync: false, patch: [{ op: "add", path: "", value: redactSecret(desired) }] };
  // Redaction maps equal values to equal markers and different ones to
  // different markers, so the redacted patch is empty exactly when the raw one is.
  const pair = redactSecretPair({ live: normalize(opts.live, opts), desired });
  const patch = jsonPatch.compare(pair.live, pair.desired);
  return { inSync: patch.length === 0, patch };
}
