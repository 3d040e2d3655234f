/**
 * Pure drift detection: normalize objects, compare live with dry-run results,
 * redact Secret values, render unified diffs. Imports only model/.
 */
export { normalize, ignoreMatches, keepIgnoredFields, LAST_APPLIED_ANNOTATION } from "./normalize.js";
export { compareObjects, type ObjectComparison } from "./compare.js";
export { isSecret, redactSecret, redactSecretPair, redactPatch, REDACTED, REDACTED_LIVE, REDACTED_DESIRED } from "./redact.js";
export { renderUnifiedDiff } from "./unified-diff.js";
export { diffLines, formatHunks, type LineEdit } from "./line-diff.js";
