/**
 * Every `code` a RenderError from src/render can carry, with what it means;
 * the README's error table and the bad-input corpus are checked against it.
 */
export const RENDER_ERROR_CODES = {
  InvalidYAML: "the YAML does not parse (syntax, tab indentation, bad alias...)",
  InvalidJSON: "a .json file is not strict JSON",
  DuplicateKey: "a mapping repeats a key",
  AliasLimit: "YAML aliases expand beyond the budget (alias bomb)",
  TooDeep: "a document nests deeper than the limit",
  FileTooLarge: "one manifest file is over the per-file size limit",
  RepoTooLarge: "the manifests together exceed the file-count or total-size limit",
  BinaryFile: "a manifest file contains NUL bytes",
  InvalidEncoding: "a manifest file is not UTF-8",
  UnsupportedFile: "a manifest name is a device, socket or pipe, not a regular file",
  InvalidObject: "a document is not a mapping (a scalar or a sequence)",
  MissingField: "apiVersion, kind, metadata or metadata.name is missing or not a string",
  InvalidName: "an object name or namespace is not valid for Kubernetes",
  DuplicateObject: "two objects have the same group/kind/namespace/name",
  PathEscape: "the Application path is absolute or escapes the root with ..",
  NotADirectory: "the Application path names a file, not a directory",
  PathNotFound: "the root or path does not exist, or a manifest symlink is broken",
  SymlinkEscape: "a followed symlink resolves outside the root",
  SymlinkLoop: "symlinks form a cycle",
  UnknownKind: "the API server does not serve the kind and no CRD in the render defines it",
  NoNamespace: "a namespaced object names no namespace and there is no default",
  KustomizeFailed: "`kustomize build` (or a `kustomize edit` of spec.source.kustomize) failed, or kustomize is not installed",
  HelmTemplateFailed: "`helm template` failed (names the template file and line when Helm gives one), a values file is missing or outside the repository, or helm is not installed",
  RemoteBaseRefused: "a kustomization names a remote base or resource (a URL); only what is in the repository is rendered",
  RenderTimeout: "kustomize or helm ran longer than --render-timeout and was stopped",
  RenderTooLarge: "kustomize or helm printed more than --render-max-bytes and was stopped",
} as const;

/** A stable RenderError code. */
export type RenderErrorCode = keyof typeof RENDER_ERROR_CODES;
