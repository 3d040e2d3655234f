/** Field manager used for every server-side apply. */
export const FIELD_MANAGER = "plumb";
/** Label naming the Application that applied an object. */
export const APP_LABEL = "plumb.dev/application";
/** Annotation holding the tracking id (see resource-key.trackingId). */
export const TRACKING_ANNOTATION = "plumb.dev/tracking-id";
/** Annotation ordering objects into waves (int, default 0). */
export const SYNC_WAVE_ANNOTATION = "plumb.dev/sync-wave";
/** API group, version and plural of Application. */
export const APP_GROUP = "plumb.dev";
export const APP_VERSION = "v1alpha1";
export const APP_PLURAL = "applications";
export const APP_KIND = "Application";
/** Plural and kind of Notifier (same group and version as Application). */
export const NOTIFIER_PLURAL = "notifiers";
export const NOTIFIER_KIND = "Notifier";
