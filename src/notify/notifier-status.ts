import type { DeliveryRecord, NotificationEvent, NotifierStatus } from "./types.js";

/** How many recent deliveries a Notifier's status keeps (the once-only record across leader changes). */
export const DELIVERY_RECORDS = 50;

/** One finished delivery, as status records it (no secrets: the message is already scrubbed). */
export interface DeliveryResult {
  event: NotificationEvent;
  ok: boolean;
  /** Condition reason when it failed: DeliveryFailed, QueueFull, or a NotifyError code. */
  reason?: string;
  message: string;
  at: string;
}

/**
 * The next Notifier status after some deliveries finished (pure): newest
 * deliveries first, capped; the last delivery and the last error; Ready says
 * whether the latest attempt got through.
 */
export function nextNotifierStatus(prev: NotifierStatus | undefined, results: DeliveryResult[], generation: number | undefined): NotifierStatus {
  const status: NotifierStatus = { ...prev };
  if (generation !== undefined) status.observedGeneration = generation;
  let deliveries = prev?.deliveries ?? [];
  for (const r of results) {
    const e = r.event;
    const record: DeliveryRecord = { app: `${e.app.namespace}/${e.app.name}`, revision: e.revision, event: e.event, time: r.at };
    if (r.ok) {
      deliveries = [record, ...deliveries.filter((d) => !(d.app === record.app && d.revision === record.revision && d.event === record.event))];
      status.lastDelivery = record;
    } else {
      status.lastError = { ...record, message: r.message };
    }
  }
  status.deliveries = deliveries.slice(0, DELIVERY_RECORDS);
  const last = results.at(-1);
  if (last) {
    const ready = last.ok
      ? { type: "Ready", status: "True" as const, reason: "Delivered", message: last.message }
      : { type: "Ready", status: "False" as const, reason: last.reason ?? "DeliveryFailed", message: last.message };
    const old = prev?.conditions?.find((c) => c.type === "Ready");
    const lastTransitionTime = old && old.status === ready.status ? old.lastTransitionTime : last.at;
    status.conditions = [{ ...ready, lastTransitionTime, ...(generation !== undefined ? { observedGeneration: generation } : {}) }];
  }
  return status;
}

/** Whether a Notifier's status already records this delivery. */
export function recorded(status: NotifierStatus | undefined, e: Pick<NotificationEvent, "app" | "revision" | "event">): boolean {
  const app = `${e.app.namespace}/${e.app.name}`;
  return !!status?.deliveries?.some((d) => d.app === app && d.revision === e.revision && d.event === e.event);
}
