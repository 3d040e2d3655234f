import type { Application } from "../model/application.js";
import type { Notifier, NotifierSecret, NotifierStatus } from "./types.js";

/** The Applications notifications follow (the operator's app store satisfies it). */
export interface AppSource {
  list(): Application[];
  subscribe(listener: (type: "add" | "update" | "delete", app: Application) => void): () => void;
}

/** Notifiers, their Secrets and status (implemented by src/kube/notifier-store). */
export interface NotifierStorePort {
  /** Starts watching Notifiers; resolves once the cache is synced. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The Notifiers of a namespace, from the watch cache. */
  list(namespace: string): Notifier[];
  /** The Secret a Notifier names (cached briefly). */
  secret(namespace: string, name: string): Promise<NotifierSecret>;
  /** Writes a Notifier's status through the status subresource. */
  writeStatus(notifier: Notifier, status: NotifierStatus): Promise<void>;
}

/** Counts deliveries for Prometheus. */
export interface NotifyMetrics {
  notification(type: string, result: "success" | "failure" | "dropped"): void;
}
