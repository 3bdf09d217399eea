/**
 * The autoencoder explorer of an `autoencoder.train` run (or of an `autoencoder.inspect` run):
 * a shell holding the downloads and the sections. The latent space, reconstructions per epoch,
 * curves and the numbers against PCA come with the training run; decoding under the pointer,
 * encoding a drawing, the interpolation, the grid and the pictures against PCA are
 * `autoencoder.inspect` runs on the run's own kernel.
 */
import { MainAreaWidget } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

import { DlvizApi, IRun } from '../../api/client';
import { modelGone } from '../../api/keptRuns';
import { trans } from '../../i18n';
import { IViewActions, IViewDefinition } from '../shared/actions';
import { runViewId } from '../shared/docked';
import { el } from '../shared/draw';
import { RunNotices } from '../shared/notices';
import { loadFinishedRun } from '../shared/finishedRun';
import { runViewDefinition } from '../shared/viewDefinition';
import { renderFacts, rnnLayout } from '../rnn/layout';
import { exportButtons } from '../rnn/rnnExport';
import { AeKernel } from './aeKernel';
import { LatestWins } from './aeLogic';
import { AeRun, modelName } from './aeRun';
import { AeSections } from './sections';
import { EXPLAIN } from './explanations';

/** The body of the explorer. */
export class AeContent extends Widget {
  readonly runId: string;
  private _api: DlvizApi;
  private _actions: IViewActions;
  private _abort = new AbortController();
  private _run = new AeRun();
  private _notices = new RunNotices();
  private _kernel: AeKernel;
  private _sections: AeSections;
  private _encoder: LatestWins<number[], void>;
  private _message = el(
    'div',
    'dlviz-view-message',
    trans.__('Loading the autoencoder of this run…')
  );
  private _status = el('span', 'dlviz-cnn-status');
  private _insert = el('button', 'jp-Button jp-mod-styled', trans.__('Insert code'));
  private _facts = el('div', 'dlviz-view-facts');
  private _header: HTMLElement;
  private _body: HTMLElement;

  constructor(api: DlvizApi, runId: string, actions: IViewActions) {
    super();
    this._api = api;
    this.runId = runId;
    this._actions = actions;
    this.addClass('dlviz-view-content');
    this.addClass('dlviz-ae-content');
    this._status.setAttribute('aria-live', 'polite');
    this._status.setAttribute('data-testid', 'dlviz-ae-status');
    this._kernel = new AeKernel(api, this._run, this._notices, this._abort.signal);
    this._encoder = new LatestWins(
      pixels => this._encode(pixels),
      () => undefined,
      error => this._say(this._kernel.failure(error))
    );
    this._sections = new AeSections({
      decode: async code => {
        const answer = await this._kernel.ask('decode', { codes: [code] });
        return answer && answer.action === 'decode' ? answer.images : null;
      },
      encode: pixels => this._encoder.push(pixels),
      interpolate: wish => void this._interpolate(wish),
      grid: size => void this._grid(size),
      status: text => this._say(text)
    });
    this._insert.setAttribute('data-testid', 'dlviz-insert-code');
    this._insert.title = trans.__(
      'Add a notebook cell that repeats this training run below the active cell'
    );
    this._insert.onclick = () => {
      const code = this._run.trainRun?.code ?? this._run.trained?.code;
      if (code) {
        this._actions.insertCode(code);
      }
    };
    const title = trans.__('Autoencoder explorer');
    const layout = rnnLayout({
      title,
      overview: EXPLAIN.overview,
      facts: this._facts,
      toolbar: [
        this._insert,
        exportButtons({
          title,
          nodes: () => [this._header, this._body],
          picture: () => ({
            canvas: this._sections.latent.canvas,
            labels: [],
            caption: trans.__('Latent space of run %1', this.runId)
          })
        }),
        this._status
      ],
      sections: this._sections.specs()
    });
    this._header = layout.header;
    this._body = layout.body;
    this._body.hidden = true;
    this.node.appendChild(
      el(
        'div',
        'dlviz-view-scroll',
        undefined,
        layout.header,
        this._notices.node,
        layout.toolbar,
        this._message,
        layout.body
      )
    );
  }

  dispose(): void {
    this._abort.abort();
    super.dispose();
  }

  /** The theme changed: the scatter reads its colours again. */
  redraw(): void {
    this._sections.latent.render();
  }

  /** Fetch the run and draw it. Resolves with the tab title to use. */
  async load(): Promise<string> {
    const fallback = trans.__('Autoencoder explorer');
    const run = await loadFinishedRun(this._api, this.runId, this._abort.signal, text =>
      this._showMessage(text)
    );
    if (!run) {
      return fallback;
    }
    try {
      await this._use(run);
    } catch (error) {
      this._showMessage(
        modelGone(error)
          ? this._notices.kernelMessage
          : trans.__('Cannot read this run: %1', (error as Error).message)
      );
      return fallback;
    }
    this._show();
    void this._fromKernel();
    const name = this._run.trained?.dataset.name;
    return name ? trans.__('Autoencoder: %1', name) : fallback;
  }

  /** What the run says: a training run's result, or the model an inspect run looked at. */
  private async _use(run: IRun): Promise<void> {
    if (run.task === 'autoencoder.train') {
      this._run.useTraining(run);
    } else {
      this._run.useInspect(run);
      const source = this._run.sourceRun;
      if (source) {
        try {
          const training = await this._api.getRunWithArrays(source);
          if (training.status === 'succeeded' && training.result) {
            this._run.useTraining(training);
            this._run.useInspect(run);
          }
        } catch {
          // the training run is gone from the server: its kernel may still know the model
        }
      }
      if (!this._run.latent) {
        const answer = await this._kernel.ask('latent');
        if (answer) {
          this._run.useLatent(answer);
        }
      }
    }
    this._notices.showKept(this._run.trained);
    await this._notices.watchKernel(this._api, this._run.kernelId, run.task);
  }

  private _show(): void {
    const run = this._run;
    this._message.hidden = true;
    this._body.hidden = false;
    this._insert.style.display = run.trainRun ? '' : 'none';
    renderFacts(this._facts, run.facts());
    this._sections.show(run);
  }

  /** The sections that need the kernel from the start: the pictures against PCA, the grid. */
  private async _fromKernel(): Promise<void> {
    if (this._notices.kernelGone) {
      this._say(this._notices.kernelMessage);
      return;
    }
    try {
      const compared = await this._kernel.ask('compare');
      if (compared && compared.action === 'compare') {
        this._sections.showCompared(compared, this._networkName(), this._run.range);
      }
    } catch (error) {
      this._sections.compare.status(this._kernel.failure(error));
    }
    await this._grid(this._sections.grid.size());
  }

  private _networkName(): string {
    const model = this._run.trained?.model;
    return model
      ? modelName(model.kind, model.layout)
      : this._run.vae
        ? trans.__('Variational autoencoder')
        : trans.__('Autoencoder');
  }

  private async _encode(pixels: number[]): Promise<void> {
    const answer = await this._kernel.ask('encode', { pixels });
    if (answer && answer.action === 'encode') {
      this._sections.showEncoded(answer, this._run.range);
      this._say('');
    }
  }

  private async _interpolate(wish: {
    index: number;
    indexB: number;
    path: string;
    steps: number;
  }): Promise<void> {
    const section = this._sections.interpolation;
    section.status(trans.__('Asking the kernel…'));
    try {
      const answer = await this._kernel.ask('interpolate', {
        index: wish.index,
        index_b: wish.indexB,
        path: wish.path,
        steps: wish.steps
      });
      if (answer && answer.action === 'interpolate') {
        section.show(answer.images, answer.fractions, wish.path, this._run.range);
      }
    } catch (error) {
      section.status(this._kernel.failure(error));
    }
  }

  private async _grid(size: number): Promise<void> {
    const section = this._sections.grid;
    section.status(trans.__('Asking the kernel…'));
    try {
      const answer = await this._kernel.ask('grid', { size });
      if (answer && answer.action === 'grid') {
        section.show(answer.images, answer.method, this._run.range);
      }
    } catch (error) {
      section.status(this._kernel.failure(error));
    }
  }

  private _say(text: string): void {
    this._status.textContent = text;
  }

  private _showMessage(text: string): void {
    this._message.textContent = text;
    this._message.hidden = false;
    this._body.hidden = true;
  }
}

/** The DOM id of a run's explorer. */
export function aeViewId(runId: string): string {
  return runViewId('autoencoder', runId);
}

/** The autoencoder explorer: opened once an `autoencoder.train` or `.inspect` run succeeded. */
export const autoencoderExplorer: IViewDefinition = runViewDefinition({
  kind: 'autoencoder',
  command: 'dlviz-lab:open-autoencoder',
  namespace: 'dlviz-lab-autoencoder',
  className: 'dlviz-ae-view',
  title: () => trans.__('Autoencoder explorer'),
  label: () => trans.__('Open the autoencoder explorer of a DL Viz run'),
  caption: runId => trans.__('Autoencoder explorer of run %1', runId),
  content: (api, runId, actions) => new AeContent(api, runId, actions)
});

export type AeView = MainAreaWidget<AeContent>;
