/**
 * The notebook outputs of `dlviz_lab.show` (MIME type application/vnd.dlviz-lab.view.v1+json):
 * data only in the .ipynb, drawn here every time the notebook opens, offline. The attention
 * views are BertViz's own scripts in the same sandboxed iframe as the dock views; the scripts
 * come from this Jupyter server's dlviz-lab/assets, never from a CDN and never from the output.
 * The other families' outputs (filters, hidden states, decision boundary, latent space, training
 * curves) are drawn on canvases by one small renderer each, in outputs/.
 */
import { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Widget } from '@lumino/widgets';

import { trans } from '../i18n';
import { DlvizApi } from '../api/client';
import { decodeArray, isEncodedArray } from '../api/arrays';
import {
  createViewFrame,
  currentTheme,
  downloadBlob,
  fileNameOf,
  requestFramePng
} from './shared/frame';
import { escapeHtml } from './shared/html';
import {
  availableKinds,
  AttentionViewKind,
  initialHeight,
  IViewInput,
  viewDocument
} from './transformer/bertvizViews';
import { KIND_LABELS, loadViewScripts } from './transformer/viewKinds';
import { rendererFor } from './outputs';

export const VIEW_MIME_TYPE = 'application/vnd.dlviz-lab.view.v1+json';

/** One output of `dlviz_lab.show`: attention, model summary, or a family's view (outputs/). */
export class ViewOutput extends Widget implements IRenderMime.IRenderer {
  private _mimeType: string;
  private _api: DlvizApi;

  constructor(options: IRenderMime.IRendererOptions, api: DlvizApi) {
    super();
    this._mimeType = options.mimeType;
    this._api = api;
    this.addClass('dlviz-output');
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const payload = model.data[this._mimeType] as { [key: string]: any } | undefined;
    if (!payload || typeof payload !== 'object') {
      this._message(trans.__('This dlviz-lab output holds no data.'));
      return;
    }
    try {
      const family = rendererFor(payload.view);
      if (family) {
        family(payload, this.node);
      } else if (payload.view === 'model_summary') {
        this._renderSummary(payload);
      } else if (payload.view === 'head' || payload.view === 'model' || payload.view === 'neuron') {
        await this._renderAttention(payload, payload.view);
      } else {
        this._message(
          trans.__(
            'This dlviz-lab output has a view this version cannot draw: %1.',
            String(payload.view)
          )
        );
      }
    } catch (error) {
      this._message(trans.__('Cannot draw this dlviz-lab output: %1', (error as Error).message));
    }
  }

  private async _renderAttention(
    payload: { [key: string]: any },
    kind: AttentionViewKind
  ): Promise<void> {
    if (!isEncodedArray(payload.attention) || !Array.isArray(payload.tokens)) {
      this._message(trans.__('This dlviz-lab output has no attention to show.'));
      return;
    }
    const input: IViewInput = {
      tokens: payload.tokens as string[],
      attention: decodeArray(payload.attention),
      sentenceBStart: payload.sentence_b_start ?? null,
      layer: typeof payload.layer === 'number' ? payload.layer : null,
      heads: Array.isArray(payload.heads) ? payload.heads : null,
      causal: !!payload.causal,
      queries: isEncodedArray(payload.queries) ? decodeArray(payload.queries) : null,
      keys: isEncodedArray(payload.keys) ? decodeArray(payload.keys) : null
    };
    const [layers, heads] = input.attention.shape;
    const kinds = availableKinds(payload);

    const header = document.createElement('div');
    header.className = 'dlviz-output-header';
    const facts = document.createElement('span');
    facts.className = 'dlviz-output-facts';
    const shape = trans.__(
      '%1: %2 tokens, %3 layers × %4 heads',
      String(payload.model ?? trans.__('model')),
      input.tokens.length,
      layers,
      heads
    );
    facts.textContent = payload.truncated ? trans.__('%1 (text cut to fit)', shape) : shape;
    header.appendChild(facts);
    const select = document.createElement('select');
    select.className = 'dlviz-output-kind';
    select.setAttribute('aria-label', trans.__('Attention view'));
    for (const k of kinds) {
      const option = document.createElement('option');
      option.value = k;
      option.textContent = KIND_LABELS[k];
      select.appendChild(option);
    }
    select.value = kind;
    header.appendChild(select);
    const download = document.createElement('button');
    download.className = 'jp-mod-styled dlviz-output-download';
    download.textContent = trans.__('Download HTML');
    download.title = trans.__('Save this view as one HTML file that works offline');
    header.appendChild(download);
    const png = document.createElement('button');
    png.className = 'jp-mod-styled dlviz-output-download';
    png.textContent = 'PNG';
    png.title = trans.__('Save this picture as a PNG image');
    header.appendChild(png);
    const status = document.createElement('span');
    status.className = 'dlviz-export-status';
    header.appendChild(status);
    const host = document.createElement('div');
    host.className = 'dlviz-output-frame-host';
    this.node.replaceChildren(header, host);

    let doc = '';
    const draw = async (k: AttentionViewKind) => {
      const scripts = await loadViewScripts(this._api, k);
      doc = viewDocument(
        k,
        input,
        scripts,
        currentTheme(),
        `${KIND_LABELS[k]}: ${input.tokens.join(' ')}`
      );
      const frame = createViewFrame(doc, trans.__('BertViz %1 view', k), true);
      frame.classList.add('dlviz-output-frame');
      frame.style.height = `${initialHeight(k, input.tokens.length, layers)}px`;
      host.replaceChildren(frame);
    };
    select.onchange = () => {
      void draw(select.value as AttentionViewKind).catch(error =>
        this._message(trans.__('Cannot draw this view: %1', (error as Error).message))
      );
    };
    download.onclick = () => {
      downloadBlob(
        new Blob([doc], { type: 'text/html' }),
        fileNameOf(`dlviz-${select.value}-view`, 'html')
      );
    };
    png.onclick = () => {
      const frame = host.querySelector('iframe');
      if (!frame) {
        return;
      }
      requestFramePng(frame)
        .then(blob => downloadBlob(blob, fileNameOf(`dlviz-${select.value}-view`, 'png')))
        .catch(
          error =>
            (status.textContent = trans.__('Cannot export a PNG: %1', (error as Error).message))
        );
    };
    await draw(kind);
  }

  private _renderSummary(payload: { [key: string]: any }): void {
    const layers: { name?: unknown; type?: unknown; parameters?: unknown }[] = Array.isArray(
      payload.layers
    )
      ? payload.layers
      : [];
    const rows = layers
      .map(
        l =>
          `<tr><td>${escapeHtml(String(l.name))}</td><td>${escapeHtml(String(l.type))}</td>` +
          `<td class="dlviz-num">${Number(l.parameters).toLocaleString('en-US')}</td></tr>`
      )
      .join('');
    const box = document.createElement('div');
    box.className = 'dlviz-output-summary';
    const name = `<strong>${escapeHtml(String(payload.class_name ?? trans.__('Model')))}</strong>`;
    const counts = escapeHtml(
      trans.__(
        '%1 parameters (%2 trainable)',
        Number(payload.total_parameters).toLocaleString('en-US'),
        Number(payload.trainable_parameters).toLocaleString('en-US')
      )
    );
    const head = [trans.__('Layer'), trans.__('Type'), trans.__('Parameters')].map(
      h => `<th>${escapeHtml(h)}</th>`
    );
    box.innerHTML =
      `<div class="dlviz-output-header">${name}: ${counts}</div>` +
      `<table><thead><tr>${head.join('')}</tr></thead><tbody>${rows}</tbody></table>`;
    this.node.replaceChildren(box);
  }

  private _message(text: string): void {
    const message = document.createElement('div');
    message.className = 'dlviz-view-message';
    message.textContent = text;
    this.node.replaceChildren(message);
  }
}

/** The renderer factory: safe (data only, drawn in a sandbox), so it renders in untrusted notebooks too. */
export function rendererFactory(api: DlvizApi): IRenderMime.IRendererFactory {
  return {
    safe: true,
    mimeTypes: [VIEW_MIME_TYPE],
    defaultRank: 10,
    createRenderer: options => new ViewOutput(options, api)
  };
}

/** The MIME extension of dlviz-lab's notebook outputs. */
export function mimeExtension(api: DlvizApi): IRenderMime.IExtension {
  return {
    id: 'dlviz-lab:rendermime',
    description:
      'Draws the outputs of dlviz_lab.show (BertViz views, model summaries, filters, hidden states, decision boundaries, latent spaces, training curves) offline.',
    rendererFactory: rendererFactory(api),
    rank: 10,
    dataType: 'json'
  };
}
