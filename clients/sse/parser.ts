/** One dispatched SSE block: the fields it set. `data` lines are joined by `\n`. */
export interface SseBlock {
  readonly event?: string;
  readonly data?: string;
  readonly id?: string;
  readonly retry?: number;
}

const LINE_END = /\r\n|\n|\r/g;

/**
 * Parses a text/event-stream body into blocks as they complete, following
 * the WHATWG rules: lines end with CRLF, LF or CR; `:` starts a comment
 * (heartbeats); a field without a colon has an empty value; one leading space
 * of a value is dropped; an `id` containing NUL is ignored; `retry` counts
 * only when all digits; a blank line ends the block. Unlike EventSource it
 * also yields blocks with no data, because an `id:`-only block moves the
 * resume point. Chunk boundaries may fall anywhere, even inside a UTF-8
 * character or between CR and LF.
 */
export async function* sseBlocks(body: AsyncIterable<Buffer | string>): AsyncGenerator<SseBlock> {
  const decoder = new TextDecoder();
  let buffer = '';
  let block: { event?: string; data?: string; id?: string; retry?: number } = {};
  let fields = 0;
  for await (const chunk of body) {
    buffer += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    let start = 0;
    for (;;) {
      LINE_END.lastIndex = start;
      const end = LINE_END.exec(buffer);
      // A CR at the very end may be the first half of a CRLF: wait for the next chunk.
      if (!end || (end[0] === '\r' && end.index === buffer.length - 1)) break;
      const line = buffer.slice(start, end.index);
      start = end.index + end[0].length;
      if (line === '') {
        if (fields > 0) yield block;
        block = {};
        fields = 0;
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const name = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (name === 'data') block.data = block.data === undefined ? value : `${block.data}\n${value}`;
      else if (name === 'event') block.event = value;
      else if (name === 'id' && !value.includes('\0')) block.id = value;
      else if (name === 'retry' && /^\d+$/.test(value)) block.retry = Number(value);
      else continue;
      fields++;
    }
    buffer = buffer.slice(start);
  }
}
