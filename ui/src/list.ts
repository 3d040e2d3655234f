import { h, healthBadge, replaceChildren, syncBadge, timeEl } from "./dom.js";
import type { AppStore, StoreChange } from "./store.js";
import { appId, type AppSummary } from "./types.js";

const SYNC_STATES = ["Synced", "OutOfSync", "Unknown"];
const HEALTH_STATES = ["Healthy", "Progressing", "Degraded", "Suspended", "Missing", "Unknown"];
/** Rows rendered before the first paint (more than a screenful), then per chunk. */
const FIRST_ROWS = 60;
const CHUNK_ROWS = 200;

/** Why an app is not Ready, for the list's message column. */
export function failureMessage(a: AppSummary): string {
  if (a.operationPhase === "Failed" || a.operationPhase === "Error" || (a.ready && a.ready.status !== "True")) {
    return a.ready ? `${a.ready.reason}: ${a.ready.message}` : a.health.message;
  }
  return "";
}

/**
 * The Applications list: counts per state, a filter (text, sync, health)
 * and one table row per app. Rows are kept per app and updated in place when
 * the stream says an app changed; the filter only toggles `hidden`, so
 * neither costs a rebuild of a thousand rows.
 */
export function renderList(main: HTMLElement, store: AppStore): () => void {
  const text = h("input", { id: "filter-text", type: "search", placeholder: "namespace, name, revision, message", autocomplete: "off" });
  const sync = select("filter-sync", "Any sync", SYNC_STATES);
  const health = select("filter-health", "Any health", HEALTH_STATES);
  const counts = h("div", { class: "counts", "aria-label": "Counts per state" });
  const shown = h("p", { class: "muted", id: "shown", "aria-live": "polite" });
  const tbody = h("tbody");
  const empty = h("p", { class: "empty", hidden: true });
  const table = h(
    "table",
    { class: "apps", "aria-describedby": "shown" },
    h("caption", { class: "visually-hidden" }, "Applications"),
    h("thead", {}, h("tr", {}, ...["Namespace", "Name", "Sync", "Health", "Revision", "Last sync", "Message"].map((c) => h("th", { scope: "col" }, c)))),
    tbody,
  );
  const form = h(
    "form",
    { class: "filters", role: "search", "aria-label": "Filter applications" },
    h("label", { for: "filter-text" }, "Filter"), text,
    h("label", { for: "filter-sync" }, "Sync"), sync,
    h("label", { for: "filter-health" }, "Health"), health,
  );
  form.addEventListener("submit", (e) => e.preventDefault());
  replaceChildren(main, h("h1", {}, "Applications"), counts, form, shown, table, empty);

  const rows = new Map<string, HTMLTableRowElement>();
  const matches = (a: AppSummary): boolean => {
    if (sync.value && a.sync.status !== sync.value) return false;
    if (health.value && a.health.status !== health.value) return false;
    const q = text.value.trim().toLowerCase();
    if (!q) return true;
    return `${a.namespace}/${a.name} ${a.sync.revision ?? ""} ${failureMessage(a)} ${a.health.message}`.toLowerCase().includes(q);
  };
  const summarize = (): void => {
    let visible = 0;
    for (const a of store.apps.values()) if (matches(a)) visible++;
    for (const [id, row] of rows) {
      const a = store.apps.get(id);
      row.hidden = !a || !matches(a);
    }
    shown.textContent = store.loaded ? `Showing ${visible} of ${store.apps.size} applications` : "Loading…";
    empty.hidden = !store.loaded || visible > 0;
    empty.textContent = store.apps.size ? "No application matches the filter." : "No applications you may see. Ask for get rights on applications.plumb.dev in a namespace.";
    renderCounts(counts, store);
  };
  /**
   * A snapshot: the first screenful of rows at once, the rest in chunks
   * between frames, so the page paints in well under the time a thousand
   * rows take to lay out, and stays responsive while the rest arrive.
   */
  let generation = 0;
  const full = (): void => {
    const mine = ++generation;
    performance.clearMarks();
    performance.clearMeasures();
    performance.mark("plumb:list-start");
    rows.clear();
    tbody.textContent = "";
    const ids = store.sorted().map(appId);
    const build = (from: number, to: number): void => {
      const frag = document.createDocumentFragment();
      for (const id of ids.slice(from, to)) {
        const a = store.apps.get(id);
        if (!a || rows.has(id)) continue;
        const row = rowOf(a);
        row.hidden = !matches(a);
        rows.set(id, row);
        frag.appendChild(row);
      }
      tbody.appendChild(frag);
    };
    build(0, FIRST_ROWS);
    summarize();
    performance.measure("plumb:list-render", "plumb:list-start");
    // after layout and paint of the first screenful: what a person waits for
    requestAnimationFrame(() => setTimeout(() => performance.measure("plumb:list-painted", "plumb:list-start"), 0));
    const rest = (from: number): void => {
      if (mine !== generation) return;
      if (from >= ids.length) {
        performance.measure("plumb:list-complete", "plumb:list-start");
        return;
      }
      build(from, from + CHUNK_ROWS);
      setTimeout(() => rest(from + CHUNK_ROWS), 0);
    };
    setTimeout(() => rest(FIRST_ROWS), 0);
  };
  const one = (c: Exclude<StoreChange, { type: "snapshot" }>): void => {
    const old = rows.get(c.id);
    if (c.type === "removed" || !c.app) {
      old?.remove();
      rows.delete(c.id);
    } else if (old) {
      const row = rowOf(c.app);
      old.replaceWith(row);
      rows.set(c.id, row);
    } else {
      const row = rowOf(c.app);
      const next = store.sorted().findIndex((a) => appId(a) === c.id) + 1;
      const after = store.sorted()[next];
      tbody.insertBefore(row, (after && rows.get(appId(after))) || null);
      rows.set(c.id, row);
    }
    const a = c.app && store.apps.get(c.id);
    const row = rows.get(c.id);
    if (row) row.hidden = !a || !matches(a);
    // a burst of changes (a commit every app moves to) costs one recount per frame, not one per event
    if (!summaryQueued) {
      summaryQueued = true;
      requestAnimationFrame(() => {
        summaryQueued = false;
        summarize();
      });
    }
  };
  let summaryQueued = false;
  for (const el of [text, sync, health]) el.addEventListener("input", summarize);
  if (store.loaded) full();
  else summarize();
  return store.subscribe((c) => (c.type === "snapshot" ? full() : one(c)));
}

function select(id: string, any: string, options: string[]): HTMLSelectElement {
  return h("select", { id }, h("option", { value: "" }, any), ...options.map((o) => h("option", { value: o }, o)));
}

function rowOf(a: AppSummary): HTMLTableRowElement {
  const message = failureMessage(a);
  return h(
    "tr",
    { "data-app": appId(a), class: message ? "failing" : undefined },
    h("td", {}, a.namespace),
    h("th", { scope: "row" }, h("a", { href: `/ui/apps/${encodeURIComponent(a.namespace)}/${encodeURIComponent(a.name)}`, "data-link": true }, a.name)),
    h("td", {}, syncBadge(a.sync.status)),
    h("td", {}, healthBadge(a.health.status, a.health.message)),
    h("td", {}, a.sync.revision ? h("code", { title: a.sync.revision }, a.sync.revision.slice(0, 7)) : "—"),
    h("td", {}, timeEl(a.lastSyncedAt)),
    h("td", { class: "message" }, message),
  );
}

function renderCounts(el: HTMLElement, store: AppStore): void {
  const by = (f: (a: AppSummary) => string) => {
    const m = new Map<string, number>();
    for (const a of store.apps.values()) m.set(f(a), (m.get(f(a)) ?? 0) + 1);
    return m;
  };
  const syncs = by((a) => a.sync.status);
  const healths = by((a) => a.health.status);
  const group = (title: string, states: string[], m: Map<string, number>, badge: (s: string) => HTMLElement) =>
    h("dl", { class: "count-group", "aria-label": title }, ...states.filter((s) => m.get(s)).flatMap((s) => [h("dt", {}, badge(s)), h("dd", { "data-count": s }, m.get(s) ?? 0)]));
  replaceChildren(
    el,
    h("p", { class: "total" }, h("strong", {}, store.apps.size), " applications"),
    group("Applications by sync status", SYNC_STATES, syncs, syncBadge),
    group("Applications by health", HEALTH_STATES, healths, (s) => healthBadge(s)),
  );
}
