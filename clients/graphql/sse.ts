/** One server-sent event: its type (`message` when unnamed) and its data lines joined by `\n`. */
export interface SseEvent {
  readonly event: string;
  readonly data: string;
}

/**
 * Parses a text/event-stream body into events as they complete (WHATWG
 * rules, the subset yoga sends: `event:` and `data:` fields, `:` comment
 * lines as keep-alive pings, a blank line ending each event). Chunk
 * boundaries may fall anywhere, even inside a UTF-8 character.
 */
export async function* sseEvents(body: AsyncIterable<Buffer>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    let end = blockEnd(buffer);
    while (end) {
      const block = buffer.slice(0, end.index);
      buffer = buffer.slice(end.index + end.length);
      const event = parseBlock(block);
      if (event) yield event;
      end = blockEnd(buffer);
    }
  }
}

function blockEnd(buffer: string): { index: number; length: number } | undefined {
  const match = /\r?\n\r?\n/.exec(buffer);
  return match ? { index: match.index, length: match[0].length } : undefined;
}

function parseBlock(block: string): SseEvent | undefined {
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split(/\r?\n/)) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  // A block of comments only (a ping) is not an event.
  return data.length === 0 && event === 'message' ? undefined : { event, data: data.join('\n') };
}
