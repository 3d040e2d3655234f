import { appId, type AppSummary } from "./types.js";

/** A change the pages react to: everything (a snapshot) or one app. */
export type StoreChange = { type: "snapshot" } | { type: "added" | "changed" | "removed"; id: string; app?: AppSummary };

/** The apps the stream has told us about, kept sorted by id, with change listeners. */
export class AppStore {
  readonly apps = new Map<string, AppSummary>();
  /** Whether a snapshot has arrived. */
  loaded = false;
  #listeners = new Set<(c: StoreChange) => void>();

  subscribe(l: (c: StoreChange) => void): () => void {
    this.#listeners.add(l);
    return () => this.#listeners.delete(l);
  }

  snapshot(items: AppSummary[]): void {
    this.apps.clear();
    for (const a of items) this.apps.set(appId(a), a);
    this.loaded = true;
    this.#emit({ type: "snapshot" });
  }

  put(type: "added" | "changed", app: AppSummary): void {
    this.apps.set(appId(app), app);
    this.#emit({ type, id: appId(app), app });
  }

  remove(app: { namespace: string; name: string }): void {
    this.apps.delete(appId(app));
    this.#emit({ type: "removed", id: appId(app) });
  }

  /** Apps sorted by namespace, then name. */
  sorted(): AppSummary[] {
    return [...this.apps.values()].sort((a, b) => (a.namespace === b.namespace ? a.name.localeCompare(b.name) : a.namespace.localeCompare(b.namespace)));
  }

  #emit(c: StoreChange): void {
    for (const l of this.#listeners) l(c);
  }
}
