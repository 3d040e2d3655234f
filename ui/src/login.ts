import { authInfo, saveToken } from "./api.js";
import { h, replaceChildren } from "./dom.js";

/** The sign-in screen: one token field, checked with the API before it is kept. */
export function renderLogin(main: HTMLElement, opts: { reason?: string; onSignedIn: (username: string) => void }): void {
  const input = h("input", { id: "token", name: "token", type: "password", autocomplete: "off", required: true, spellcheck: "false", "aria-describedby": "token-help" });
  const error = h("p", { class: "notice", role: "alert", hidden: true });
  const form = h(
    "form",
    { class: "login" },
    h("label", { for: "token" }, "Kubernetes bearer token"),
    input,
    h("p", { id: "token-help", class: "muted" }, "Create one with ", h("code", {}, "kubectl create token <serviceaccount> -n <namespace>"), ". It is kept in this tab only (sessionStorage) and sent as an Authorization header."),
    error,
    h("button", { type: "submit", class: "primary" }, "Sign in"),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const token = input.value.trim();
    try {
      const info = await authInfo(token);
      saveToken(token);
      opts.onSignedIn(info.user?.username ?? "");
    } catch (err) {
      error.hidden = false;
      error.textContent = `Sign-in failed: ${(err as Error).message}`;
      input.focus();
    }
  });
  replaceChildren(main, h("h1", {}, "Sign in to Plumb"), opts.reason ? h("p", { class: "notice", role: "status" }, opts.reason) : "", form);
  input.focus();
}
