/**
 * The PNG exporter inside every view's iframe answers the embedding page only: run its real
 * script in a jsdom iframe and send it requests from the page and from another window.
 */
import { PNG_EXPORTER } from '../../labextension/src/views/transformer/bertviz';

/** An iframe running the exporter; `replies` collects what it posts to the page. */
function exporterFrame(): { frame: HTMLIFrameElement; replies: any[] } {
  const frame = document.createElement('iframe');
  document.body.appendChild(frame);
  const win = frame.contentWindow as Window & { eval(code: string): unknown };
  win.eval(PNG_EXPORTER);
  const replies: any[] = [];
  window.addEventListener('message', event => replies.push(event.data));
  return { frame, replies };
}

/** A message event from `source`, delivered to the iframe's window as postMessage would. */
function request(frame: HTMLIFrameElement, source: Window | null): void {
  const win = frame.contentWindow as Window & { MessageEvent: typeof MessageEvent };
  win.dispatchEvent(new win.MessageEvent('message', { data: { dlvizExport: 'png' }, source }));
}

const settle = () => new Promise(resolve => setTimeout(resolve, 50));

describe('PNG_EXPORTER', () => {
  afterEach(() => document.body.replaceChildren());

  it('answers a request from the embedding page', async () => {
    const { frame, replies } = exporterFrame();
    request(frame, window);
    await settle();
    // The jsdom frame has no picture: the answer says so, which proves the page was answered.
    expect(replies).toEqual([{ dlvizPngError: 'no picture to export' }]);
  });

  it('ignores the same request from another window', async () => {
    const { frame, replies } = exporterFrame();
    const other = document.createElement('iframe');
    document.body.appendChild(other);
    request(frame, other.contentWindow);
    request(frame, frame.contentWindow);
    request(frame, null);
    await settle();
    expect(replies).toEqual([]);
  });
});
