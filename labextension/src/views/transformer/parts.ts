/**
 * What every part of the Transformer view draws into: the header, the picture's host, the
 * notices of a trained run, the export buttons and the message lines. The view's shell
 * (attentionView.ts) implements it; each part (BertViz views, steps, token map, long input) uses it.
 */
import { DlvizApi } from '../../api/client';
import { RunNotices } from '../shared/notices';

export interface IPartHost {
  readonly api: DlvizApi;
  readonly runId: string;
  readonly header: HTMLElement;
  readonly frameHost: HTMLElement;
  readonly notices: RunNotices;
  /** The Download HTML and PNG buttons with their status line, for the header. */
  exportButtons(): HTMLElement;
  /** A message in place of the picture (the header stays). */
  showFrameMessage(text: string): void;
  /** A message in place of the whole view. */
  showMessage(text: string): void;
}

/** The facts line and the explanation of a part drawn in the page, with the export buttons. */
export function partHeader(host: IPartHost, facts: string, explanation: string): void {
  const line = document.createElement('div');
  line.className = 'dlviz-view-facts';
  line.textContent = facts;
  const text = document.createElement('p');
  text.className = 'dlviz-view-explanation';
  text.textContent = explanation;
  line.appendChild(host.exportButtons());
  host.header.replaceChildren(line, text);
}

/** A scrolling box for a part drawn in the page, put where the picture goes. */
export function partBody(host: IPartHost, className: string): HTMLElement {
  const body = document.createElement('div');
  body.className = `dlviz-view-scroll ${className}`;
  host.frameHost.replaceChildren(body);
  return body;
}
