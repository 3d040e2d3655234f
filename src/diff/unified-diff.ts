import { stringify } from "yaml";
import type { IgnoreDifference, KubeObject } from "../model/index.js";
import { diffLines, formatHunks } from "./line-diff.js";
import { normalize } from "./normalize.js";
import { redactSecretPair } from "./redact.js";

function yamlLines(obj: KubeObject | undefined): string[] {
  if (obj === undefined) return [];
  return stringify(obj, { sortMapEntries: true, lineWidth: 0 }).trimEnd().split("\n");
}

/**
 * A unified diff (`--- live/KEY`, `+++ desired/KEY`, hunks) between the
 * normalized, Secret-redacted objects dumped as YAML with sorted keys; a
 * missing side is `/dev/null` (create or prune). Empty when they are equal.
 */
export function renderUnifiedDiff(opts: {
  key: string;
  live?: KubeObject;
  desired?: KubeObject;
  ignore?: readonly IgnoreDifference[];
}): string {
  const { live, desired } = redactSecretPair({
    live: opts.live && normalize(opts.live, opts),
    desired: opts.desired && normalize(opts.desired, opts),
  });
  const edits = diffLines(yamlLines(live), yamlLines(desired));
  const hunks = formatHunks(edits);
  if (hunks.length === 0) return "";
  const header = [`--- ${live ? `live/${opts.key}` : "/dev/null"}`, `+++ ${desired ? `desired/${opts.key}` : "/dev/null"}`];
  return [...header, ...hunks].join("\n") + "\n";
}
