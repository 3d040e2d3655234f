import { h } from "./dom.js";

/**
 * Asks before an action with a modal <dialog> (focus moves into it, Escape
 * cancels, Tab stays inside): resolves true only when the person confirms.
 */
export function confirmAction(message: string, action: string): Promise<boolean> {
  const ok = h("button", { type: "submit", value: "ok", class: "primary" }, action);
  const cancel = h("button", { type: "submit", value: "cancel", formnovalidate: true }, "Cancel");
  const dialog = h("dialog", { "aria-labelledby": "confirm-title", class: "confirm" },
    h("form", { method: "dialog" }, h("h2", { id: "confirm-title" }, `${action}?`), h("p", {}, message), h("div", { class: "actions" }, cancel, ok)));
  document.body.appendChild(dialog);
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => {
      resolve(dialog.returnValue === "ok");
      dialog.remove();
    });
    dialog.showModal();
    cancel.focus();
  });
}
