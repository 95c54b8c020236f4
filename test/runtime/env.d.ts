// Bindings the in-runtime tests get from vitest.config.ts's "runtime" project.
declare namespace Cloudflare {
  interface Env {
    LOADER: WorkerLoader;
  }
}
