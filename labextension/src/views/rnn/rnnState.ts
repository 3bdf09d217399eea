/**
 * What the RNN explorer's sections draw from: the inspect result shown, the chosen layer and
 * direction, the selected unit and step, the unit order, the brushed span and a highlighted
 * match. The shell owns one and redraws every section when it changes.
 */
import { NDArray } from '../../api/arrays';
import { maxAbs } from '../shared/colors';
import { CellKind, IFormulaLayer } from './rnnFormulas';
import {
  boundedHidden,
  heatLimit,
  IStepsByUnits,
  ISpan,
  orderUnits,
  RnnInput,
  UnitOrder
} from './rnnLogic';
import { RnnInspected, RnnLayer } from './rnnResult';

export interface IRnnState {
  result: RnnInspected;
  /** Index into result.layers. */
  layer: number;
  unit: number;
  step: number;
  orderBy: UnitOrder;
  /** The name of the signal (input.signals) units are correlated with. */
  signal: string | null;
  /** The span brushed on the heat map, if any. */
  span: ISpan | null;
  /** The span of a match the explorer jumped to, if any. */
  highlight: ISpan | null;
  /** Colours scaled to each epoch's own largest |h| (true) or the same for every epoch. */
  perEpoch: boolean;
  /** The largest |h| of every result shown so far (the run's scale of an unbounded cell). */
  seen: number;
  /** Drawn from the states saved in the training result (its kernel is gone), not a kernel. */
  saved: boolean;
}

/** The layer and direction shown. */
export function layerOf(state: IRnnState): RnnLayer {
  const layers = state.result.layers;
  return layers[Math.min(state.layer, layers.length - 1)];
}

/** A decoded [T, H] array as the logic reads it. */
export function stepsByUnits(array: NDArray): IStepsByUnits {
  return { data: array.data, steps: array.shape[0] ?? 0, units: array.shape[1] ?? 0 };
}

/** The steps read. */
export function stepsOf(state: IRnnState): number {
  return layerOf(state).hidden.shape[0] ?? 0;
}

/** The units of a layer. */
export function unitsOf(state: IRnnState): number {
  return layerOf(state).hidden.shape[1] ?? 0;
}

/** The signal units are correlated with, one number per step; null when there is none. */
export function signalOf(state: IRnnState): number[] | null {
  const signals = state.result.input.signals ?? {};
  const name = state.signal ?? Object.keys(signals)[0];
  return name && signals[name] ? signals[name] : null;
}

/** The units in the order the heat maps show them. */
export function orderOf(state: IRnnState): number[] {
  const m = stepsByUnits(layerOf(state).hidden);
  return orderUnits(m, state.orderBy, signalOf(state) ?? undefined);
}

/** The colour limit of the hidden states: the same for every epoch unless `perEpoch`. */
export function limitOf(state: IRnnState): number {
  const network = state.result.network;
  return heatLimit(
    layerOf(state).hidden.data,
    state.perEpoch,
    boundedHidden(network.cell, network.projection_size),
    state.seen
  );
}

/** The cell kind, as the formulas name it. */
export function cellOf(state: IRnnState): CellKind {
  return state.result.network.cell;
}

/** The layer as the formulas read it. */
export function formulaLayer(layer: RnnLayer): IFormulaLayer {
  return {
    direction: layer.direction,
    hidden: layer.hidden,
    cell: layer.cell,
    gates: layer.gates
  };
}

/** A state for a new result that keeps the choices of the old one where they still fit. */
export function carryOver(old: IRnnState | null, result: RnnInspected): IRnnState {
  const layers = result.layers.length;
  const steps = result.layers[0]?.hidden.shape[0] ?? 1;
  const units = result.layers[0]?.hidden.shape[1] ?? 1;
  const signals = Object.keys(result.input.signals ?? {});
  const state: IRnnState = {
    result,
    layer: old ? Math.max(0, Math.min(old.layer, layers - 1)) : 0,
    unit: old ? Math.min(old.unit, units - 1) : 0,
    step: old ? Math.min(old.step, steps - 1) : steps - 1,
    orderBy:
      old?.orderBy === 'correlation' && !signals.length
        ? 'variance'
        : (old?.orderBy ?? (signals.length ? 'correlation' : 'variance')),
    signal: old?.signal && signals.includes(old.signal) ? old.signal : (signals[0] ?? null),
    span: null,
    highlight: null,
    perEpoch: old?.perEpoch ?? false,
    seen: Math.max(old?.seen ?? 0, ...result.layers.map(layer => maxAbs(layer.hidden.data))),
    saved: old?.saved ?? false
  };
  if (!old) {
    // A first look: the unit the chosen order puts on top (the most telling one).
    state.unit = orderOf(state)[0] ?? 0;
  }
  return state;
}

/** The sequence a state shows, to read again at another epoch. */
export function inputOf(state: IRnnState | null): RnnInput {
  const input = state?.result.input;
  if (input?.source === 'text' && input.characters) {
    return { text: input.characters.join('') };
  }
  return { index: input?.index ?? 0 };
}
