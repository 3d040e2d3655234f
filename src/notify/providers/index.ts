import type { NotifierType } from "../types.js";
import { giteaRequest, githubRequest, gitlabRequest } from "./commit-status.js";
import type { DeliveryRequest, ProviderInput } from "./request.js";
import { slackRequest } from "./slack.js";
import { webhookRequest } from "./webhook.js";

export type { DeliveryRequest, ProviderInput } from "./request.js";

/** The request builder of each provider (a dispatch table). */
export const PROVIDERS: Record<NotifierType, (input: ProviderInput) => DeliveryRequest> = {
  webhook: webhookRequest,
  slack: slackRequest,
  github: githubRequest,
  gitlab: gitlabRequest,
  gitea: giteaRequest,
};
