import { api, ApiError } from "./api.js";
import { confirmAction } from "./confirm.js";
import { h, healthBadge, replaceChildren, syncBadge, timeEl } from "./dom.js";
import type { AppStore } from "./store.js";
import type { AppDetail, DiffReport, TreeNode } from "./types.js";

/**
 * One Application: summary, Sync button, resource tree, conditions,
 * operation, history with a Rollback button per entry, and the diff of live
 * against Git. It reloads when the stream says this app changed (debounced),
 * never on a timer.
 */
export function renderAppPage(main: HTMLElement, store: AppStore, namespace: string, name: string): () => void {
  const id = `${namespace}/${name}`;
  const base = `/api/v1/applications/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`;
  const notice = h("div", { class: "notice", role: "alert", hidden: true });
  const status = h("div", { id: "action-status", role: "status", class: "muted", "aria-live": "polite" });
  const summary = h("section", { "aria-labelledby": "summary-h" });
  const tree = h("section", { "aria-labelledby": "tree-h" });
  const conditions = h("section", { "aria-labelledby": "conditions-h" });
  const operation = h("section", { "aria-labelledby": "operation-h" });
  const history = h("section", { "aria-labelledby": "history-h" });
  const diff = h("section", { "aria-labelledby": "diff-h" });
  const syncButton = h("button", { type: "button", class: "primary" }, "Sync");
  const diffButton = h("button", { type: "button" }, "Refresh diff");
  replaceChildren(
    main,
    h("nav", { "aria-label": "Breadcrumb" }, h("a", { href: "/ui/", "data-link": true }, "Applications"), " / ", namespace),
    h("h1", {}, name, " ", h("span", { class: "muted ns" }, `in ${namespace}`)),
    h("div", { class: "actions" }, syncButton),
    notice,
    status,
    summary,
    tree,
    conditions,
    operation,
    history,
    diff,
  );

  const showError = (what: string, err: unknown): void => {
    notice.hidden = false;
    notice.textContent = `${what} failed: ${err instanceof ApiError ? err.describe() : (err as Error).message}`;
  };
  const say = (text: string): void => {
    notice.hidden = true;
    status.textContent = text;
  };

  let lastRevision: string | undefined;
  let loading: Promise<void> | undefined;
  let again = false;
  const load = async (): Promise<void> => {
    if (loading) {
      again = true;
      return loading;
    }
    loading = (async () => {
      try {
        const [detail, nodes] = await Promise.all([api<AppDetail>("GET", base), api<{ nodes: TreeNode[] }>("GET", `${base}/tree`).catch(() => ({ nodes: [] as TreeNode[] }))]);
        renderSummary(summary, detail);
        renderTree(tree, detail, nodes.nodes);
        renderConditions(conditions, detail);
        renderOperation(operation, detail);
        renderHistory(history, detail, rollback);
        const rev = `${detail.sync.status}@${detail.sync.revision ?? ""}`;
        if (rev !== lastRevision) {
          lastRevision = rev;
          void loadDiff();
        }
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) replaceChildren(summary, h("p", { class: "notice" }, `Application ${id} does not exist (any more).`));
        else showError("Loading the application", err);
      }
    })();
    await loading;
    loading = undefined;
    if (again) {
      again = false;
      await load();
    }
  };
  const loadDiff = async (): Promise<void> => {
    replaceChildren(diff, h("h2", { id: "diff-h" }, "Diff: live vs Git"), diffButton, h("p", { class: "muted" }, "Computing the diff…"));
    try {
      renderDiff(diff, diffButton, await api<DiffReport>("GET", `${base}/diff`));
    } catch (err) {
      replaceChildren(diff, h("h2", { id: "diff-h" }, "Diff: live vs Git"), diffButton, h("p", { class: "notice" }, `The diff cannot be computed: ${err instanceof ApiError ? err.describe() : (err as Error).message}`));
    }
  };
  const rollback = async (entry: { id: number; revision: string }): Promise<void> => {
    if (!(await confirmAction(`Roll back ${id} to history entry ${entry.id} (${entry.revision.slice(0, 7)})? It stays on that revision until a newer commit.`, "Roll back"))) return;
    try {
      const res = await api<{ message: string }>("POST", `${base}/rollback`, { id: entry.id });
      say(res.message);
    } catch (err) {
      showError("Rollback", err);
    }
  };
  syncButton.addEventListener("click", async () => {
    if (!(await confirmAction(`Sync ${id} now? Objects that differ from Git are applied.`, "Sync"))) return;
    syncButton.disabled = true;
    try {
      const res = await api<{ message: string }>("POST", `${base}/sync`);
      say(res.message);
    } catch (err) {
      showError("Sync", err);
    } finally {
      syncButton.disabled = false;
    }
  });
  diffButton.addEventListener("click", () => void loadDiff());

  void load();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const unsubscribe = store.subscribe((c) => {
    if (c.type !== "snapshot" && c.id !== id) return;
    clearTimeout(timer);
    timer = setTimeout(() => void load(), 200);
  });
  return () => {
    clearTimeout(timer);
    unsubscribe();
  };
}

function renderSummary(el: HTMLElement, d: AppDetail): void {
  const op = d.status.operationState;
  replaceChildren(
    el,
    h("h2", { id: "summary-h", class: "visually-hidden" }, "Summary"),
    h(
      "dl",
      { class: "summary" },
      h("dt", {}, "Sync"), h("dd", { "data-field": "sync" }, syncBadge(d.sync.status)),
      h("dt", {}, "Health"), h("dd", { "data-field": "health" }, healthBadge(d.health.status), d.health.message ? ` ${d.health.message}` : ""),
      h("dt", {}, "Revision"), h("dd", { "data-field": "revision" }, d.sync.revision ? h("code", { title: d.sync.revision }, d.sync.revision.slice(0, 7)) : "—"),
      h("dt", {}, "Last sync"), h("dd", {}, timeEl(d.lastSyncedAt)),
      h("dt", {}, "Source"), h("dd", {}, h("code", {}, d.spec.source.repoURL), ` path ${d.spec.source.path} at ${d.spec.source.targetRevision}`),
      h("dt", {}, "Policy"), h("dd", {}, d.spec.automated ? `automated (prune ${d.spec.automated.prune ? "on" : "off"}, self-heal ${d.spec.automated.selfHeal ? "on" : "off"})` : "manual", d.spec.suspend ? ", suspended" : ""),
      ...(op && (op.phase === "Failed" || op.phase === "Error") ? [h("dt", {}, "Failure"), h("dd", { class: "failure" }, op.message ?? "")] : []),
    ),
  );
}

function renderTree(el: HTMLElement, d: AppDetail, nodes: TreeNode[]): void {
  const item = (n: TreeNode): HTMLLIElement =>
    h(
      "li",
      { "data-kind": n.kind, "data-name": n.name },
      h(
        "div",
        { class: `node health-row-${n.health.status}` },
        h("span", { class: "kind" }, n.kind), " ",
        h("span", { class: "name" }, n.namespace ? `${n.namespace}/${n.name}` : n.name), " ",
        healthBadge(n.health.status, n.health.message), " ",
        n.sync ? syncBadge(n.sync) : "",
        n.health.message && n.health.status !== "Healthy" ? h("span", { class: "node-message" }, n.health.message) : "",
      ),
      n.children.length ? h("ul", {}, ...n.children.map(item)) : "",
    );
  replaceChildren(
    el,
    h("h2", { id: "tree-h" }, "Resources"),
    h(
      "ul",
      { class: "tree" },
      h("li", {}, h("div", { class: "node" }, h("span", { class: "kind" }, "Application"), " ", h("span", { class: "name" }, `${d.namespace}/${d.name}`), " ", healthBadge(d.health.status), " ", syncBadge(d.sync.status)), nodes.length ? h("ul", {}, ...nodes.map(item)) : h("p", { class: "muted" }, "No resources yet.")),
    ),
  );
}

function renderConditions(el: HTMLElement, d: AppDetail): void {
  const list = d.status.conditions ?? [];
  replaceChildren(
    el,
    h("h2", { id: "conditions-h" }, "Conditions"),
    list.length
      ? h("table", {}, h("thead", {}, h("tr", {}, ...["Type", "Status", "Reason", "Message", "Since"].map((c) => h("th", { scope: "col" }, c)))), h("tbody", {}, ...list.map((c) => h("tr", {}, h("th", { scope: "row" }, c.type), h("td", {}, c.status), h("td", {}, c.reason), h("td", {}, c.message), h("td", {}, timeEl(c.lastTransitionTime))))))
      : h("p", { class: "muted" }, "None yet."),
  );
}

function renderOperation(el: HTMLElement, d: AppDetail): void {
  const op = d.status.operationState;
  replaceChildren(
    el,
    h("h2", { id: "operation-h" }, "Last operation"),
    op
      ? h("dl", { class: "summary" },
          h("dt", {}, "Phase"), h("dd", { "data-field": "operation-phase" }, op.phase),
          h("dt", {}, "Revision"), h("dd", {}, op.revision ? h("code", {}, op.revision.slice(0, 7)) : "—"),
          h("dt", {}, "Message"), h("dd", {}, op.message ?? ""),
          h("dt", {}, "Started"), h("dd", {}, timeEl(op.startedAt)),
          h("dt", {}, "Finished"), h("dd", {}, timeEl(op.finishedAt)))
      : h("p", { class: "muted" }, "No operation yet."),
  );
}

function renderHistory(el: HTMLElement, d: AppDetail, rollback: (e: { id: number; revision: string }) => void): void {
  const list = d.status.history ?? [];
  replaceChildren(
    el,
    h("h2", { id: "history-h" }, "History"),
    list.length
      ? h("table", {},
          h("thead", {}, h("tr", {}, ...["ID", "Revision", "Deployed", "Trigger", "Health", "Action"].map((c) => h("th", { scope: "col" }, c)))),
          h("tbody", {}, ...list.map((e) => {
            const button = h("button", { type: "button", "aria-label": `Rollback to history entry ${e.id} (${e.revision.slice(0, 7)})` }, "Rollback");
            button.addEventListener("click", () => rollback(e));
            return h("tr", { "data-history": e.id }, h("th", { scope: "row" }, e.id), h("td", {}, h("code", { title: e.revision }, e.revision.slice(0, 7))), h("td", {}, timeEl(e.deployedAt)), h("td", {}, e.trigger), h("td", {}, healthBadge(e.health)), h("td", {}, button));
          })))
      : h("p", { class: "muted" }, "Nothing deployed yet."),
  );
}

function renderDiff(el: HTMLElement, button: HTMLButtonElement, report: DiffReport): void {
  const changed = report.resources.filter((r) => r.action !== "none");
  replaceChildren(
    el,
    h("h2", { id: "diff-h" }, "Diff: live vs Git"),
    button,
    h("p", {}, report.inSync ? `In sync with ${report.revision.slice(0, 7)}.` : `${changed.length} object(s) differ from Git at ${report.revision.slice(0, 7)}.`),
    ...changed.map((r) =>
      h("details", { open: changed.length <= 5 },
        h("summary", {}, `${r.action} ${r.kind} ${r.namespace ? `${r.namespace}/` : ""}${r.name}`),
        r.message ? h("p", { class: "notice" }, r.message) : "",
        r.diff ? h("pre", { class: "diff" }, ...r.diff.split("\n").map((line) => h("span", { class: line.startsWith("+") ? "add" : line.startsWith("-") ? "del" : line.startsWith("@@") ? "hunk" : undefined }, `${line}\n`))) : ""),
    ),
  );
}
