/** Tiny DOM helpers: elements from tag, attributes and children; text is always set as text, never as HTML. */

type Child = Node | string | number | null | undefined | false;

/** Creates an element; attributes with `undefined`/`false` are left out, `true` sets an empty one. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string | number | boolean | undefined> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    el.setAttribute(k, v === true ? "" : String(v));
  }
  append(el, children);
  return el;
}

/** Appends children (strings become text nodes). */
export function append(el: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
  }
}

/** Replaces every child of `el`. */
export function replaceChildren(el: Element, ...children: Child[]): void {
  el.textContent = "";
  append(el, children);
}

/** `2026-12-04T16:50:12Z` as local date and time, in a <time> element. */
export function timeEl(iso: string | undefined): Node {
  if (!iso) return document.createTextNode("—");
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, "0");
  const text = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return h("time", { datetime: iso, title: iso }, text);
}

const HEALTH_ICON: Record<string, string> = { Healthy: "✔", Progressing: "↻", Degraded: "✖", Suspended: "⏸", Missing: "∅", Unknown: "?" };
const SYNC_ICON: Record<string, string> = { Synced: "✔", OutOfSync: "⚠", Unknown: "?" };

/** A health badge: an icon and the status as text (colour is never the only signal). */
export function healthBadge(status: string, message?: string): HTMLElement {
  return h("span", { class: `badge health-${status}`, title: message || undefined }, h("span", { "aria-hidden": "true" }, HEALTH_ICON[status] ?? "?"), " ", status);
}

/** A sync badge. */
export function syncBadge(status: string): HTMLElement {
  return h("span", { class: `badge sync-${status}` }, h("span", { "aria-hidden": "true" }, SYNC_ICON[status] ?? "?"), " ", status);
}
