// The hello worker: Knative's helloworld-go as a worker module (no imports; bundles to one ES module).
// `env` holds the container's `env:` entries plus Knative's K_SERVICE, K_CONFIGURATION and K_REVISION.

interface Env {
  TARGET?: string;
  K_SERVICE?: string;
  K_CONFIGURATION?: string;
  K_REVISION?: string;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    return new Response(`Hello ${env.TARGET ?? "World"}!\n`, {
      status: 200,
      headers: {
        "content-type": "text/plain; charset=utf-8",
        "x-knit-revision": `${env.K_REVISION}`,
      },
    });
  },
};
