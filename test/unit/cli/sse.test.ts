import { describe, expect, it } from 'vitest';
import { parseEventStream } from '../../../src/cli/sse.js';

function stream(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

async function all(chunks: string[]) {
  const out = [];
  for await (const message of parseEventStream(stream(chunks))) out.push(message);
  return out;
}

describe('event-stream parser', () => {
  it('parses messages split anywhere across chunks, with CRLF, comments and multi-line data', async () => {
    expect(
      await all([
        ': keep-alive\n\nid: 1\nev',
        'ent: a\ndata: {"x":1}\n',
        '\nid: 2\r\ndata: line one\r\ndata:line two\r\n\r\n',
        'data: no blank line at the end',
      ]),
    ).toEqual([
      { id: '1', event: 'a', data: '{"x":1}' },
      { id: '2', event: '', data: 'line one\nline two' },
    ]);
  });

  it('splits a multi-byte character across chunks correctly', async () => {
    const bytes = new TextEncoder().encode('data: → ok\n\n');
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, 7));
        controller.enqueue(bytes.slice(7));
        controller.close();
      },
    });
    const out = [];
    for await (const message of parseEventStream(body)) out.push(message.data);
    expect(out).toEqual(['→ ok']);
  });
});
