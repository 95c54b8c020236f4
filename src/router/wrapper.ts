// The main module every revision isolate starts from. It imports the user's module, so a module that
// throws while loading fails here; a probe request checks the handler without calling it.

export const PROBE_HEADER = "x-knit-probe";
export const WRAPPER_MODULE = "knit-main.js";
export const USER_MODULE = "user.js";

export const WRAPPER_SOURCE = `import * as user from "./${USER_MODULE}";
const handler = user.default;
const hasFetch = handler && typeof handler.fetch === "function";
export default {
  fetch(request, env, ctx) {
    if (request.headers.get("${PROBE_HEADER}") === "1") {
      return hasFetch
        ? new Response("ok")
        : new Response("the module's default export has no fetch(request, env) handler", { status: 500, headers: { "x-knit-probe-failure": "MissingFetchHandler" } });
    }
    if (!hasFetch) return new Response("the revision's module has no fetch handler", { status: 500 });
    return handler.fetch(request, env, ctx);
  },
};
`;
