// `node --import ./hack/ts-register.mjs file.ts` runs TypeScript sources on Node 24.
import { register } from "node:module";
register("./ts-hooks.mjs", import.meta.url);
