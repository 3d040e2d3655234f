export * from "./object.js";
export * from "./resource-key.js";
export * from "./health.js";
export * from "./labels.js";
export * from "./application.js";
export * from "./repo-url.js";
