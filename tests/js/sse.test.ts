import { SseParser } from '../../labextension/src/api/events';

describe('SseParser', () => {
  it('returns events as their blank line completes them, across chunk boundaries', () => {
    const parser = new SseParser();
    expect(parser.push('event: status\ndata: {"id":"r1",')).toEqual([]);
    expect(parser.push('"status":"queued"}\n')).toEqual([]);
    expect(parser.push('\n: keepalive\n\nevent: progress\ndata: {"step":1}\n\n')).toEqual([
      { event: 'status', data: '{"id":"r1","status":"queued"}' },
      { event: 'progress', data: '{"step":1}' }
    ]);
  });

  it('joins multi-line data and accepts CRLF line ends', () => {
    const parser = new SseParser();
    expect(parser.push('data: a\r\ndata: b\r\n\r\n')).toEqual([{ event: 'message', data: 'a\nb' }]);
  });
});
