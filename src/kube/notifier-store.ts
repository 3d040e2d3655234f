import type { Logger } from "../log.js";
import { APP_GROUP, APP_VERSION, NOTIFIER_KIND, NOTIFIER_PLURAL } from "../model/labels.js";
import type { NotifierStorePort } from "../notify/ports.js";
import type { Notifier, NotifierSecret, NotifierStatus } from "../notify/types.js";
import { NotifyError } from "../notify/errors.js";
import { startInformer, type Informer } from "./informer.js";
import { withoutManagedFields } from "./live-cache.js";
import { isNotFound, type RestClient } from "./rest.js";

/** How long a Notifier's Secret is reused before it is read again. */
const SECRET_TTL_MS = 30_000;

/** Notifiers from a watch cache (of one namespace or all), their Secrets, and status writes. */
export class KubeNotifierStore implements NotifierStorePort {
  #rest: RestClient;
  #logger: Logger;
  #namespace: string | undefined;
  #informer: Informer | undefined;
  #secrets = new Map<string, { at: number; value: NotifierSecret }>();

  constructor(opts: { rest: RestClient; logger: Logger; namespace?: string }) {
    this.#rest = opts.rest;
    this.#logger = opts.logger;
    this.#namespace = opts.namespace;
  }

  async start(): Promise<void> {
    const ns = this.#namespace ? `/namespaces/${this.#namespace}` : "";
    this.#informer ??= startInformer({
      rest: this.#rest,
      path: `/apis/${APP_GROUP}/${APP_VERSION}${ns}/${NOTIFIER_PLURAL}`,
      apiVersion: `${APP_GROUP}/${APP_VERSION}`,
      kind: NOTIFIER_KIND,
      logger: this.#logger,
      transform: withoutManagedFields,
      onEvent: () => undefined,
    });
    await this.#informer.synced;
  }

  async stop(): Promise<void> {
    await this.#informer?.stop();
    this.#informer = undefined;
  }

  list(namespace: string): Notifier[] {
    return ((this.#informer?.list() ?? []) as Notifier[]).filter((n) => n.metadata.namespace === namespace);
  }

  async secret(namespace: string, name: string): Promise<NotifierSecret> {
    const id = `${namespace}/${name}`;
    const hit = this.#secrets.get(id);
    if (hit && Date.now() - hit.at < SECRET_TTL_MS) return hit.value;
    let secret: { data?: Record<string, string> };
    try {
      secret = await this.#rest.request({ method: "GET", path: `/api/v1/namespaces/${namespace}/secrets/${name}` });
    } catch (err) {
      throw new NotifyError(`cannot read the Notifier's Secret ${id}${isNotFound(err) ? ": not found" : ""}`, { code: isNotFound(err) ? "SecretNotFound" : "SecretUnreadable" });
    }
    const get = (k: string) => (secret.data?.[k] ? Buffer.from(secret.data[k], "base64").toString("utf8").trim() : undefined);
    const value: NotifierSecret = {};
    const token = get("token"), hmacKey = get("hmacKey"), address = get("address");
    if (token) value.token = token;
    if (hmacKey) value.hmacKey = hmacKey;
    if (address) value.address = address;
    this.#secrets.set(id, { at: Date.now(), value });
    return value;
  }

  async writeStatus(notifier: Notifier, status: NotifierStatus): Promise<void> {
    try {
      await this.#rest.request({
        method: "PATCH",
        path: `/apis/${APP_GROUP}/${APP_VERSION}/namespaces/${notifier.metadata.namespace}/${NOTIFIER_PLURAL}/${notifier.metadata.name}/status`,
        contentType: "application/merge-patch+json",
        body: { status },
      });
    } catch (err) {
      if (isNotFound(err)) return; // deleted meanwhile
      throw err;
    }
  }
}
