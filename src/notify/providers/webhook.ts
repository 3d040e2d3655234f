import { createHmac } from "node:crypto";
import { addressOf, jsonHeaders, type DeliveryRequest, type ProviderInput } from "./request.js";

/** The generic webhook: the event as JSON, signed with HMAC-SHA256 of the body when the Secret has `hmacKey`. */
export function webhookRequest(input: ProviderInput): DeliveryRequest {
  const e = input.event;
  const body = JSON.stringify({ app: e.app, event: e.event, revision: e.revision, sync: e.sync, health: e.health, message: e.message, time: e.time });
  const headers = jsonHeaders();
  if (input.secret.hmacKey) headers["x-plumb-signature"] = `sha256=${createHmac("sha256", input.secret.hmacKey).update(body).digest("hex")}`;
  return { url: addressOf(input), headers, body };
}
