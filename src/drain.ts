// A refused request body (413) is read and dropped before the answer: a server that answers and closes
// with the body unread makes the client's TCP stack discard the answer (a reset), so a client that does
// not ask `Expect: 100-continue` would see a broken connection instead of the 413. Bounded, so a client
// cannot keep the server reading for ever.

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
