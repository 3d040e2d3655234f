import { SYNC_WAVE_ANNOTATION } from "../model/labels.js";
import type { RenderedObject } from "./rendered-object.js";

const HOOK_ANNOTATION = "helm.sh/hook";

function hooksOf(r: RenderedObject): string[] {
  const text = r.object.metadata.annotations?.[HOOK_ANNOTATION];
  return typeof text === "string" ? text.split(",").map((h) => h.trim()).filter(Boolean) : [];
}

function waveOf(r: RenderedObject): number {
  const n = Number(r.object.metadata.annotations?.[SYNC_WAVE_ANNOTATION] ?? 0);
  return Number.isInteger(n) ? n : 0;
}

/**
 * Maps Helm hooks onto sync waves: `test*` hooks are not applied (they are
 * for `helm test`), nor are hooks that only run on delete or rollback;
 * pre-install/pre-upgrade hooks form a wave before the chart and
 * post-install/post-upgrade hooks a wave after it, unless they name their
 * own `plumb.dev/sync-wave`. Pure.
 */
export function placeHelmHooks(objects: readonly RenderedObject[]): RenderedObject[] {
  const kept = objects.filter((r) => {
    const hooks = hooksOf(r);
    if (hooks.length === 0) return true;
    if (hooks.some((h) => h.startsWith("test"))) return false;
    return hooks.some((h) => /^(pre|post)-(install|upgrade)$/.test(h));
  });
  const plain = kept.filter((r) => hooksOf(r).length === 0).map(waveOf);
  const first = plain.length ? Math.min(...plain) : 0;
  const last = plain.length ? Math.max(...plain) : 0;
  return kept.map((r) => {
    const hooks = hooksOf(r);
    if (hooks.length === 0 || r.object.metadata.annotations?.[SYNC_WAVE_ANNOTATION] !== undefined) return r;
    const wave = hooks.some((h) => h.startsWith("pre-")) ? first - 1 : last + 1;
    const object = { ...r.object, metadata: { ...r.object.metadata, annotations: { ...r.object.metadata.annotations, [SYNC_WAVE_ANNOTATION]: String(wave) } } };
    return { ...r, object };
  });
}
