import type { KubeObject } from "../model/object.js";
import { FIELD_MANAGER } from "../model/labels.js";
import { KubeError } from "../errors.js";
import { resourcePath, type Discovery, type KindInfo } from "./discovery.js";
import { isNotFound, type RestClient } from "./rest.js";

/** Enough to address one object. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

/**
 * Reads and writes arbitrary objects by apiVersion/kind, optionally as an
 * impersonated user (an Application's ServiceAccount). Writes are
 * server-side apply with field manager `plumb`.
 */
export class ObjectClient {
  readonly rest: RestClient;
  readonly discovery: Discovery;
  readonly impersonate: string | undefined;

  constructor(opts: { rest: RestClient; discovery: Discovery; impersonate?: string }) {
    this.rest = opts.rest;
    this.discovery = opts.discovery;
    this.impersonate = opts.impersonate;
  }

  /** The same client acting as another user. */
  as(user: string | undefined): ObjectClient {
    return new ObjectClient({ rest: this.rest, discovery: this.discovery, impersonate: user });
  }

  async #info(ref: ObjectRef): Promise<KindInfo> {
    // a miss right after a CRD in the same sync turned Established: look again, now
    const info = (await this.discovery.lookup(ref.apiVersion, ref.kind)) ?? (await this.discovery.refresh(true), await this.discovery.lookup(ref.apiVersion, ref.kind));
    if (!info) {
      throw new KubeError(`the server does not serve ${ref.kind} in ${ref.apiVersion}; is its CRD installed?`, {
        code: "UnknownKind",
        data: { apiVersion: ref.apiVersion, kind: ref.kind },
      });
    }
    return info;
  }

  /** GETs an object; undefined when it does not exist. */
  async get(ref: ObjectRef): Promise<KubeObject | undefined> {
    const info = await this.#info(ref);
    try {
      return await this.rest.request<KubeObject>({
        method: "GET",
        path: resourcePath(info, ref.namespace, ref.name),
        impersonate: this.impersonate,
      });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Server-side apply (force: Plumb owns what Git says). With dryRun the server changes nothing. */
  async apply(obj: KubeObject, opts: { dryRun?: boolean } = {}): Promise<KubeObject> {
    const info = await this.#info({ apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name });
    return this.rest.request<KubeObject>({
      method: "PATCH",
      path: resourcePath(info, obj.metadata.namespace, obj.metadata.name),
      query: { fieldManager: FIELD_MANAGER, force: true, dryRun: opts.dryRun ? "All" : undefined },
      contentType: "application/apply-patch+yaml",
      body: obj,
      impersonate: this.impersonate,
    });
  }

  /**
   * Deletes an object in the background. With `uid` the delete only happens
   * if the object is still the one Plumb saw (never a recreated namesake).
   */
  async delete(ref: ObjectRef & { uid?: string }): Promise<"deleted" | "gone"> {
    const info = await this.#info(ref);
    try {
      await this.rest.request({
        method: "DELETE",
        path: resourcePath(info, ref.namespace, ref.name),
        body: { kind: "DeleteOptions", apiVersion: "v1", propagationPolicy: "Background", ...(ref.uid ? { preconditions: { uid: ref.uid } } : {}) },
        impersonate: this.impersonate,
      });
      return "deleted";
    } catch (err) {
      if (isNotFound(err)) return "gone";
      throw err;
    }
  }

  /** Merge-patches the status subresource. */
  async patchStatus(ref: ObjectRef, status: unknown): Promise<KubeObject> {
    const info = await this.#info(ref);
    return this.rest.request<KubeObject>({
      method: "PATCH",
      path: `${resourcePath(info, ref.namespace, ref.name)}/status`,
      contentType: "application/merge-patch+json",
      body: { status },
      impersonate: this.impersonate,
    });
  }
}
