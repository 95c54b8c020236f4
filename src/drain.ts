// A refused request's body (413, 415, 405, …) is read and dropped before the answer. Unread, it either
// makes the server close the connection with data pending, and the client's TCP stack discards the
// answer (a reset), or it stays on a keep-alive connection to be parsed as the next request. Bounded, so
// a client cannot keep the server reading for ever.

const DRAIN_LIMIT_BYTES = 64 * 1024 * 1024;

export async function drainBody(request: Request, limit = DRAIN_LIMIT_BYTES): Promise<void> {
  if (!request.body || request.bodyUsed) return;
  const reader = request.body.getReader();
  let seen = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      seen += value.byteLength;
      if (seen > limit) {
        await reader.cancel();
        return;
      }
    }
  } catch {
    // the client went away: nothing to drain
  }
}

