import type { KubeObject } from "../model/object.js";

/** What happened to an Application, as Notifiers name it in `spec.events`. */
export type NotificationEventType = "Progressing" | "Synced" | "Degraded" | "Failed" | "RolledBack";

/** Every event type, in the order the README lists them (the default of `spec.events`). */
export const EVENT_TYPES: readonly NotificationEventType[] = ["Progressing", "Synced", "Degraded", "Failed", "RolledBack"];

/** Provider of a Notifier. */
export type NotifierType = "webhook" | "slack" | "github" | "gitlab" | "gitea";

/** Label selector (metav1.LabelSelector). */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: "In" | "NotIn" | "Exists" | "DoesNotExist"; values?: string[] }[];
}

/** `spec` of a Notifier (see deploy/crd/notifiers.plumb.dev.yaml). */
export interface NotifierSpec {
  type: NotifierType;
  address?: string;
  secretRef?: { name: string };
  selector?: LabelSelector;
  events?: NotificationEventType[];
}

/** One delivery a Notifier recorded: the key that makes deliveries once-only across restarts. */
export interface DeliveryRecord {
  app: string;
  revision: string;
  event: NotificationEventType;
  time: string;
}

/** `status` of a Notifier. */
export interface NotifierStatus {
  observedGeneration?: number;
  lastDelivery?: DeliveryRecord;
  lastError?: { app: string; revision: string; event: NotificationEventType; time: string; message: string };
  /** The newest deliveries (at most DELIVERY_RECORDS), newest first. */
  deliveries?: DeliveryRecord[];
  conditions?: { type: string; status: "True" | "False" | "Unknown"; reason: string; message: string; lastTransitionTime: string; observedGeneration?: number }[];
}

/** A Notifier custom resource. */
export interface Notifier extends KubeObject {
  spec: NotifierSpec;
  status?: NotifierStatus;
}

/** The Secret values a Notifier may use; never logged or written anywhere. */
export interface NotifierSecret {
  token?: string;
  hmacKey?: string;
  address?: string;
}

/** One event of one Application, before it is addressed to a Notifier. */
export interface NotificationEvent {
  app: { namespace: string; name: string };
  event: NotificationEventType;
  revision: string;
  sync: string;
  health: string;
  message: string;
  /** When the app entered this state (ISO time). */
  time: string;
  repoURL: string;
}
