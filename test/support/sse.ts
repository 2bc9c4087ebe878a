import http from 'node:http';

/** One Server-Sent Event as received. */
export interface SseEvent {
  event: string;
  id?: string;
  data: any;
}

/** A live SSE connection that records every event it receives. */
export interface SseClient {
  events: SseEvent[];
  /** Comment lines (heartbeats) received. */
  comments: number;
  status: number;
  close(): void;
}

/**
 * Opens `url` as an SSE stream with plain node:http and parses frames (WHATWG HTML
 * "event stream interpretation", the subset Herald emits: id, event, data, comments).
 * Resolves once the response headers arrived.
 */
export function openSse(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      const client: SseClient = { events: [], comments: 0, status: res.statusCode ?? 0, close: () => req.destroy() };
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const ev: Partial<SseEvent> & { dataLines: string[] } = { dataLines: [] };
          for (const line of frame.split('\n')) {
            if (line.startsWith(':')) client.comments++;
            else if (line.startsWith('event: ')) ev.event = line.slice(7);
            else if (line.startsWith('id: ')) ev.id = line.slice(4);
            else if (line.startsWith('data: ')) ev.dataLines.push(line.slice(6));
          }
          if (ev.event) client.events.push({ event: ev.event, id: ev.id, data: JSON.parse(ev.dataLines.join('\n')) });
        }
      });
      res.on('error', () => undefined);
      resolve(client);
    });
    req.on('error', (err) => ((err as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(err)));
  });
}
