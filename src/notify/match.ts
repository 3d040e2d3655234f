import type { Application } from "../model/application.js";
import { EVENT_TYPES, type LabelSelector, type NotificationEventType, type Notifier } from "./types.js";

/** Whether a label selector matches a label set (pure; an empty selector matches everything). */
export function selectorMatches(selector: LabelSelector | undefined, labels: Record<string, string> = {}): boolean {
  for (const [k, v] of Object.entries(selector?.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector?.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const inValues = has && (e.values ?? []).includes(labels[e.key]!);
    const ok = e.operator === "In" ? inValues : e.operator === "NotIn" ? !inValues : e.operator === "Exists" ? has : e.operator === "DoesNotExist" ? !has : false;
    if (!ok) return false;
  }
  return true;
}

/** Whether a Notifier wants this event of this Application: same namespace, selector, events (pure). */
export function notifierWants(notifier: Notifier, app: Application, event: NotificationEventType): boolean {
  if ((notifier.metadata.namespace ?? "default") !== (app.metadata.namespace ?? "default")) return false;
  if (!(notifier.spec.events?.length ? notifier.spec.events : EVENT_TYPES).includes(event)) return false;
  return selectorMatches(notifier.spec.selector, app.metadata.labels ?? {});
}
