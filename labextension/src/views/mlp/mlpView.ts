/**
 * The MLP playground of an `mlp.train` run: a shell holding the controls, the network (each
 * neuron's picture), the output over the plane and the training numbers (one module each).
 * The kernel sends weights, not pictures: every frame is a forward pass over the grid in the
 * browser (planeLogic.ts), drawn at most once per animation frame while it plays.
 */
import { MainAreaWidget } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

import { ApiError, DlvizApi } from '../../api/client';
import { RUN_GONE_MESSAGE } from '../../api/keptRuns';
import { MlpTrainResult } from '../../api/results';
import { trans } from '../../i18n';
import { IViewActions, IViewDefinition } from '../shared/actions';
import { runViewId } from '../shared/docked';
import { el } from '../shared/draw';
import { runViewDefinition } from '../shared/viewDefinition';
import { Controls } from './controls';
import { PlaygroundSession } from './mlpSession';
import { NetworkSection } from './networkSection';
import { IPoints, OutputSection } from './outputSection';
import { ILayerWeights, IPlane, linspace, neuronPictures, outputPicture } from './planeLogic';
import { FrameGate, Params } from './setupLogic';
import { StatsSection } from './statsSection';

/** Points per side of the pictures (the kernel's own picture has as many). */
export const GRID = 50;
const RANGE = 6; // the generated data sets lie in [-6, 6]² (mlp/data.py)
const FEATURE_ORDER = ['x1', 'x2', 'x1^2', 'x2^2', 'x1*x2', 'sin(x1)', 'sin(x2)'];

interface IFrame {
  weights: ILayerWeights[];
  epoch: number;
}

/** The body of the playground. */
export class PlaygroundContent extends Widget {
  readonly runId: string;
  private _api: DlvizApi;
  private _session: PlaygroundSession;
  private _gate: FrameGate<IFrame>;
  private _plane: IPlane | null = null;
  private _kind = { setup: 'playground', classes: 2 as number | null };
  private _last: IFrame | null = null;
  private _drawMs = 0;
  /** The "Insert code" cell of the newest result: get_model of the run the kernel keeps. */
  private _modelCode: string | null = null;
  private _message = el(
    'div',
    'dlviz-view-message',
    trans.__('Loading the playground of this run…')
  );
  private _body = el('div', 'dlviz-mlp-body');
  private _controls: Controls;
  private _network: NetworkSection;
  private _output = new OutputSection();
  private _stats = new StatsSection();

  constructor(api: DlvizApi, runId: string, actions: IViewActions) {
    super();
    this._api = api;
    this.runId = runId;
    this.addClass('dlviz-view-content');
    this.addClass('dlviz-mlp-content');
    this._gate = new FrameGate<IFrame>(frame => this._draw(frame));
    this._session = new PlaygroundSession(api, {
      frame: (weights, epoch) => this._offer({ weights, epoch }),
      result: result => this._useResult(result),
      state: (playing, busy) => {
        this._controls.setState(playing, busy);
        if (playing) {
          this._controls.say('');
        }
      },
      error: message => this._controls.say(trans.__('The kernel says: %1', message))
    });
    const session = this._session;
    this._controls = new Controls({
      play: () => session.play(),
      pause: () => session.pause(),
      step: () => session.step(),
      reset: fresh => session.reset(fresh),
      setRates: rates => session.setRates(rates),
      insertCode: () => {
        if (this._modelCode) {
          actions.insertCode(this._modelCode);
        }
      },
      openSetup: params => {
        this._plane = null;
        if (this.parent) {
          // the docked tab's title (the content's own title would replace its icon)
          this.parent.title.label = trans.__('Playground: %1', params.data?.source ?? 'circle');
        }
        this._showParams(params);
        session.openSetup(params);
      },
      params: () => session.params
    });
    this._network = new NetworkSection(edit => session.edit(edit));
    const explain = el(
      'p',
      'dlviz-view-explanation',
      trans.__(
        'Each neuron shows its own output over the plane (blue positive, orange negative); links show the weights by width and colour. Hover a neuron to see it large; click a link or a bias to set it by hand.'
      )
    );
    this._body.append(
      this._controls.node,
      el('div', 'dlviz-mlp-main', undefined, this._network.node),
      el('div', 'dlviz-mlp-right', undefined, this._output.node, this._stats.node),
      explain
    );
    this._body.hidden = true;
    this.node.appendChild(el('div', 'dlviz-view-scroll', undefined, this._message, this._body));
  }

  /** Frames drawn and dropped (the frame-rate benchmark reads them). */
  get frames(): { drawn: number; dropped: number } {
    return { drawn: this._gate.drawn, dropped: this._gate.dropped };
  }

  dispose(): void {
    this._session.dispose();
    super.dispose();
  }

  /** Fetch the run and follow it. Resolves with the tab title to use. */
  async load(): Promise<string> {
    try {
      const run = await this._api.getRun(this.runId);
      if (run.task !== 'mlp.train') {
        throw new Error(trans.__('a %1 run is not a playground', run.task));
      }
      this._showParams(run.params ?? {});
      this._message.hidden = true;
      this._body.hidden = false;
      this._session.open(run);
      const source = run.params?.data?.source;
      return source ? trans.__('Playground: %1', source) : trans.__('MLP playground');
    } catch (error) {
      this._message.textContent =
        error instanceof ApiError && error.status === 404
          ? RUN_GONE_MESSAGE
          : trans.__('Cannot load this run: %1', (error as Error).message);
      return trans.__('MLP playground');
    }
  }

  /** Before the first result: the plane of a generated data set, from the params alone. */
  private _showParams(params: Params): void {
    this._controls.showParams(params);
    const data = params.data ?? {};
    const source = data.source ?? 'circle';
    if (!this._plane && source !== 'notebook') {
      const wanted: string[] = params.features ?? ['x1', 'x2'];
      const axis = linspace(-RANGE, RANGE, GRID);
      this._plane = {
        xs: axis,
        ys: axis,
        features: FEATURE_ORDER.filter(name => wanted.includes(name)),
        computes: true,
        fixed: [],
        shown: [0, 1]
      };
      const regression = source === 'plane' || source === 'multi-gauss';
      const classes = regression ? null : source === 'blobs' ? (data.classes ?? 3) : 2;
      this._kind = { setup: params.model?.setup ?? 'playground', classes };
      this._output.setKind(
        this._kind,
        [
          [-RANGE, RANGE],
          [-RANGE, RANGE]
        ],
        ['x1', 'x2']
      );
    }
  }

  private _useResult(result: MlpTrainResult): void {
    const data = result.dataset;
    const [a, b] = data.shown;
    this._plane = {
      xs: linspace(data.ranges[0][0], data.ranges[0][1], GRID),
      ys: linspace(data.ranges[1][0], data.ranges[1][1], GRID),
      features: result.features,
      computes: result.computes_features,
      fixed: data.fixed,
      shown: data.shown
    };
    this._kind = { setup: result.model.setup, classes: data.classes };
    this._output.setKind(this._kind, data.ranges, [data.columns[a], data.columns[b]]);
    this._output.setPoints(result.train as IPoints, result.test as IPoints);
    this._stats.setConfusion(result.confusion);
    // results kept from before the playground had "Insert code" have no cell
    this._modelCode = result.model_code ?? null;
    this._controls.setCodeReady(this._modelCode !== null);
    this._controls.showParams(this._session.params);
    this.node.setAttribute('data-results', String(Number(this.node.dataset.results ?? 0) + 1));
    if (this._last) {
      this._offer(this._last);
    }
  }

  /** A frame to draw at the next animation frame; `data-backlog` counts those not drawn yet. */
  private _offer(frame: IFrame): void {
    this._gate.offer(frame);
    this.node.setAttribute('data-backlog', String(this._gate.waiting));
  }

  /** One frame: every neuron's picture, the output and the numbers. */
  private _draw(frame: IFrame): void {
    this._last = frame;
    this.node.setAttribute('data-backlog', String(this._gate.waiting));
    const plane = this._plane;
    if (!plane || this.isDisposed) {
      return;
    }
    const start = performance.now();
    const pictures = neuronPictures(frame.weights, plane);
    this._network.draw(plane.features, frame.weights, pictures, GRID);
    this._output.draw(outputPicture(pictures[pictures.length - 1], this._kind), GRID);
    this._stats.draw(this._session.history, frame.epoch);
    this.node.setAttribute('data-epoch', String(frame.epoch));
    // the mean time a frame takes to draw (the frame-rate benchmark reads it)
    this._drawMs += performance.now() - start;
    this.node.setAttribute('data-draw-ms', (this._drawMs / this._gate.drawn).toFixed(2));
    // frames that came while another waited to be drawn (the benchmark adds them to the drawn)
    this.node.setAttribute('data-dropped', String(this._gate.dropped));
  }
}

export type PlaygroundView = MainAreaWidget<PlaygroundContent>;

/** The DOM id of a run's playground. */
export function mlpViewId(runId: string): string {
  return runViewId('mlp', runId);
}

/** The MLP playground: opened as soon as an `mlp.train` run starts. */
export const mlpPlayground: IViewDefinition = runViewDefinition({
  kind: 'mlp',
  command: 'dlviz-lab:open-mlp',
  namespace: 'dlviz-lab-mlp',
  className: 'dlviz-mlp-view',
  title: () => trans.__('MLP playground'),
  label: () => trans.__('Open the MLP playground of a DL Viz run'),
  caption: runId => trans.__('MLP playground of run %1', runId),
  content: (api, runId, actions) => new PlaygroundContent(api, runId, actions)
});
