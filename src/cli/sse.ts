/**
 * A text/event-stream parser over fetch's body stream (Node 20 has no EventSource). Follows the
 * WHATWG rules the controller relies on: `field: value` lines, blank line ends a message, `:` starts
 * a comment, several `data:` lines join with newlines. Lines end with LF or CRLF (a lone CR, which
 * the spec also allows, is not used by our server and not handled).
 */
export interface SseMessage {
  readonly id?: string;
  readonly event: string;
  readonly data: string;
}

export async function* parseEventStream(body: ReadableStream<Uint8Array>): AsyncGenerator<SseMessage> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let id: string | undefined;
  let event = '';
  let data: string[] = [];
  try {
    for (;;) {
      const { value, done } = await reader.read();
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      let newline = buffer.indexOf('\n');
      while (newline >= 0) {
        const line = buffer.slice(0, newline).replace(/\r$/, '');
        buffer = buffer.slice(newline + 1);
        newline = buffer.indexOf('\n');
        if (line === '') {
          if (data.length > 0) yield { ...(id === undefined ? {} : { id }), event, data: data.join('\n') };
          event = '';
          data = [];
          continue;
        }
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'data') data.push(value);
        else if (field === 'event') event = value;
        else if (field === 'id') id = value;
      }
      if (done) return;
    }
  } finally {
    // Also runs when the consumer stops early: release the connection instead of leaving it open.
    await reader.cancel().catch(() => undefined);
  }
}
