/** The HTTP API: express routes that translate HTTP into calls on ports. */
export { createApp } from "./app.js";
export { startApiServer, type ApiServer } from "./server.js";
export { WEBHOOK_PATH } from "./webhooks.js";
export { signBody, GENERIC_SIGNATURE_HEADER, type WebhookProvider } from "./webhook/signature.js";
export type { ApiDeps, ApiMetrics, RequestOutcome, WebhookResult } from "./ports.js";
