import "./style.css";
import { authInfo, saveToken, savedToken, whenUnauthorized } from "./api.js";
import { renderAppPage } from "./app-page.js";
import { h, replaceChildren } from "./dom.js";
import { renderList } from "./list.js";
import { renderLogin } from "./login.js";
import { AppStore } from "./store.js";
import { connectStream } from "./stream.js";

/**
 * The dashboard: a single page under /ui/ that routes on the client
 * (/ui/ is the list, /ui/apps/NS/NAME one app), fed by one event stream.
 */
const main = document.getElementById("main")!;
const who = document.getElementById("who")!;
const live = document.getElementById("live")!;
const store = new AppStore();
let mode: "kubernetes" | "none" = "kubernetes";
let stopStream: (() => void) | undefined;
let leavePage: (() => void) | undefined;

function route(): void {
  leavePage?.();
  const m = /^\/ui\/apps\/([^/]+)\/([^/]+)\/?$/.exec(location.pathname);
  if (m) {
    const [ns, name] = [decodeURIComponent(m[1]!), decodeURIComponent(m[2]!)];
    document.title = `${ns}/${name} · Plumb`;
    leavePage = renderAppPage(main, store, ns, name);
  } else {
    document.title = "Applications · Plumb";
    leavePage = renderList(main, store);
  }
  main.focus({ preventScroll: true });
}

function signOut(reason?: string): void {
  stopStream?.();
  stopStream = undefined;
  leavePage?.();
  leavePage = undefined;
  saveToken(null);
  replaceChildren(who);
  live.textContent = "";
  document.title = "Sign in · Plumb";
  renderLogin(main, { ...(reason ? { reason } : {}), onSignedIn: start });
}

function start(username: string): void {
  replaceChildren(who, username ? h("span", { class: "muted" }, `Signed in as ${username}`) : h("span", { class: "muted" }, mode === "none" ? "Authentication off (loopback)" : ""));
  if (mode === "kubernetes") {
    const out = h("button", { type: "button", class: "link" }, "Sign out");
    out.addEventListener("click", () => signOut());
    who.append(" ", out);
  }
  stopStream?.();
  stopStream = connectStream({
    snapshot: (items) => store.snapshot(items),
    added: (a) => store.put("added", a),
    changed: (a) => store.put("changed", a),
    removed: (a) => store.remove(a),
    state: (s, detail) => {
      live.textContent = s === "live" ? "● Live" : `Reconnecting… ${detail ?? ""}`;
      live.className = `live ${s}`;
    },
    unauthorized: () => signOut("Your token was refused (401): it is invalid or expired. Sign in again."),
  });
  route();
}

document.addEventListener("click", (e) => {
  const a = (e.target as Element | null)?.closest?.("a[data-link]");
  if (!a || e.defaultPrevented || (e as MouseEvent).button !== 0 || (e as MouseEvent).metaKey || (e as MouseEvent).ctrlKey || (e as MouseEvent).shiftKey) return;
  e.preventDefault();
  history.pushState(null, "", (a as HTMLAnchorElement).href);
  if (stopStream) route();
});
window.addEventListener("popstate", () => {
  if (stopStream) route();
});
whenUnauthorized(() => signOut("Your token was refused (401): it is invalid or expired. Sign in again."));

async function boot(): Promise<void> {
  try {
    const info = await authInfo();
    mode = info.mode;
    if (mode === "none") return start("");
    const token = savedToken();
    if (!token) return signOut();
    const me = await authInfo(token).catch(() => undefined);
    if (!me?.user) return signOut("Your saved token was refused. Sign in again.");
    start(me.user.username);
  } catch (err) {
    replaceChildren(main, h("h1", {}, "Plumb"), h("p", { class: "notice", role: "alert" }, `Cannot reach the Plumb API: ${(err as Error).message}`));
  }
}
void boot();
