/** Health of a PersistentVolumeClaim. */
import type { Health, KubeObject } from "../model/index.js";
import { recordAt, stringAt } from "./fields.js";
import { verdict } from "./verdict.js";

/**
 * PersistentVolumeClaim: Bound is Healthy; Pending is Progressing (a
 * provisioner is working, or the class binds on first consumer); Lost means
 * the bound volume is gone and the data with it, so it is Degraded.
 */
export function persistentVolumeClaimHealth(obj: KubeObject): Health {
  const phase = stringAt(obj, "status.phase");
  const volume = stringAt(obj, "spec.volumeName");
  switch (phase) {
    case "Bound":
      return verdict("Healthy", `Bound to volume ${volume ?? "(unnamed)"}`);
    case "Lost":
      return verdict("Degraded", `Claim lost its volume ${volume ?? ""}`.trimEnd() + "; the PersistentVolume no longer exists");
    case "Pending":
    case undefined: {
      // The scheduler writes this annotation once a pod needs the claim (WaitForFirstConsumer classes).
      const node = recordAt(obj, "metadata.annotations")?.["volume.kubernetes.io/selected-node"];
      return verdict(
        "Progressing",
        typeof node === "string" ? `Waiting for a volume to be provisioned on node ${node}` : "Waiting for the claim to be bound to a volume",
      );
    }
    default:
      return verdict("Unknown", `PersistentVolumeClaim has an unrecognized phase "${phase}"`);
  }
}
