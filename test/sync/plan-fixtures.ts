import type { KubeObject } from "../../src/model/object.js";
import { keyOf, type ResourceKey } from "../../src/model/resource-key.js";
import type { ComparedObject } from "../../src/sync/plan.js";

/** A desired object as compareWithLive would hand it to the plan, in one of the states it can be in. */
export const compared = (o: KubeObject, state: "create" | "update" | "skip" | "conflict"): ComparedObject => ({
  key: keyOf(o),
  object: o,
  live: state === "create" ? undefined : o,
  inSync: state === "skip",
  ...(state === "conflict" ? { conflictWith: "other/app:..." } : {}),
});

/** Tracking ids of Application ns/app. */
export const trackingIdOf = (k: ResourceKey) => `ns/app:${k.group}/${k.kind}:${k.namespace}/${k.name}`;
