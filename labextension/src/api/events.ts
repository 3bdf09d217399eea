/**
 * An incremental parser of server-sent events (the `text/event-stream` format): feed it text as
 * it arrives, get back the events that are complete. Comments (`: keepalive`) are skipped.
 */

export interface ISseEvent {
  event: string;
  data: string;
}

export class SseParser {
  private _buffer = '';
  private _event = '';
  private _data: string[] = [];

  /** Add a chunk of the stream; returns the events that this chunk completed. */
  push(chunk: string): ISseEvent[] {
    this._buffer += chunk;
    const out: ISseEvent[] = [];
    // Lines end with \n, \r\n or \r; keep a trailing partial line for the next chunk.
    const lines = this._buffer.split(/\r\n|\r|\n/);
    this._buffer = lines.pop() ?? '';
    for (const line of lines) {
      if (line === '') {
        if (this._data.length) {
          out.push({ event: this._event || 'message', data: this._data.join('\n') });
        }
        this._event = '';
        this._data = [];
        continue;
      }
      if (line.startsWith(':')) {
        continue;
      }
      const colon = line.indexOf(':');
      const name = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) {
        value = value.slice(1);
      }
      if (name === 'event') {
        this._event = value;
      } else if (name === 'data') {
        this._data.push(value);
      }
    }
    return out;
  }
}
