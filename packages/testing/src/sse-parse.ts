export interface SseEvent {
  /** The `event:` line, if the event had one (Anthropic does, OpenAI does not). */
  event?: string;
  /** The `data:` lines, joined with newlines. */
  data: string;
}

/**
 * Parses a complete SSE body strictly: events separated by blank lines, only `event:` and
 * `data:` lines, ending with a blank line. Throws on anything else, so tests catch bad framing.
 */
export function parseSse(text: string): SseEvent[] {
  if (text === '') return [];
  if (!text.endsWith('\n\n')) throw new Error(`SSE body does not end with a blank line: ${JSON.stringify(text.slice(-40))}`);
  return text
    .slice(0, -2)
    .split('\n\n')
    .map((block) => {
      const out: SseEvent = { data: '' };
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) out.event = line.slice('event: '.length);
        else if (line.startsWith('data: ')) data.push(line.slice('data: '.length));
        else throw new Error(`unexpected SSE line ${JSON.stringify(line)}`);
      }
      out.data = data.join('\n');
      return out;
    });
}
