/**
 * Attention step by step (a `transformer.steps` result): every matrix the head computes, with the
 * model's own numbers, as labelled heatmaps (numbers in the cells when the matrix is small, the
 * value under the pointer otherwise) and the formula beside each one.
 */
import { decodeArray, isEncodedArray, NDArray } from '../../api/arrays';
import { TransformerStepsFields } from '../../api/results';
import { trans } from '../../i18n';
import { prettifyTokens } from './bertviz';
import { el } from '../shared/draw';
import { matrixView } from './matrixView';
import { formatValue, transpose } from './transformerLogic';

export interface IStepsPick {
  layer: number;
  head: number;
  token: number;
}

function arr(value: unknown): NDArray | null {
  return isEncodedArray(value) ? decodeArray(value) : null;
}

/** One step: title, formula, explanation and its matrices. */
function step(
  testId: string,
  title: string,
  formula: string,
  explanation: string,
  ...matrices: HTMLElement[]
): HTMLElement {
  const section = el('section', 'dlviz-step');
  section.dataset.step = testId;
  const text = el(
    'div',
    'dlviz-step-text',
    undefined,
    el('h4', 'dlviz-step-title', title),
    el('div', 'dlviz-formula', formula),
    el('p', 'dlviz-step-explanation', explanation)
  );
  const figures = el('div', 'dlviz-step-figures');
  for (const m of matrices) {
    figures.appendChild(m);
  }
  section.append(text, figures);
  return section;
}

function captioned(caption: string, matrix: HTMLElement): HTMLElement {
  return el('figure', 'dlviz-step-figure', undefined, el('figcaption', undefined, caption), matrix);
}

/** The parts of the embeddings a step shows. */
type EmbeddingPart = 'token' | 'position' | 'token_type' | 'sum' | 'output';

/** The formula of the embeddings step, as the model builds them. */
function embeddingFormula(sentence: boolean, layerNorm: boolean): string {
  if (sentence) {
    return layerNorm
      ? trans.__('e = token + position + sentence, then LayerNorm')
      : trans.__('e = token + position + sentence');
  }
  return layerNorm
    ? trans.__('e = token + position, then LayerNorm')
    : trans.__('e = token + position');
}

/** The whole step-by-step view of one result; `onPick` asks for another layer or head (a new run). */
export function renderSteps(
  container: HTMLElement,
  result: TransformerStepsFields,
  onPick: (pick: IStepsPick) => void
): void {
  const tokens = prettifyTokens(result.tokens);
  const n = tokens.length;
  const d = Number(result.head_dim);
  const D = Number(result.hidden_size);
  const layer = Number(result.layer);
  const head = Number(result.head);
  let token = Number(result.token);

  const controls = el('div', 'dlviz-steps-controls');
  const picker = (id: string, label: string, count: number, value: number, names?: string[]) => {
    const select = el('select', 'dlviz-steps-pick');
    select.setAttribute('aria-label', label);
    select.dataset.testid = `dlviz-steps-${id}`;
    for (let i = 0; i < count; i++) {
      const option = el('option', undefined, names ? `${i}: ${names[i]}` : String(i));
      option.value = String(i);
      select.appendChild(option);
    }
    select.value = String(value);
    controls.appendChild(el('label', 'dlviz-steps-label', `${label} `, select));
    return select;
  };
  const layerSelect = picker('layer', trans.__('Layer'), Number(result.num_layers), layer);
  const headSelect = picker('head', trans.__('Head'), Number(result.num_heads), head);
  const tokenSelect = picker('token', trans.__('Token'), n, token, tokens);
  const ask = () =>
    onPick({
      layer: Number(layerSelect.value),
      head: Number(headSelect.value),
      token: Number(tokenSelect.value)
    });
  layerSelect.onchange = ask;
  headSelect.onchange = ask;

  const body = el('div', 'dlviz-steps');
  const draw = () => {
    const chosen = tokens[token];
    const sections: HTMLElement[] = [];
    const emb: Partial<TransformerStepsFields['embeddings']> = result.embeddings ?? {};
    const parts: HTMLElement[] = [];
    for (const [key, caption] of [
      ['token', trans.__('token embedding')],
      ['position', trans.__('position embedding')],
      ['token_type', trans.__('sentence (type) embedding')],
      ['sum', trans.__('sum')],
      [
        'output',
        emb.layer_norm
          ? trans.__('after LayerNorm (what layer 0 reads)')
          : trans.__('what layer 0 reads')
      ]
    ] as [EmbeddingPart, string][]) {
      const a = arr(emb[key]);
      if (a) {
        parts.push(
          captioned(
            `${caption} [${a.shape.join(' × ')}]`,
            matrixView(a.data, a.shape[0], a.shape[1], { rowLabels: tokens, highlightRow: token })
          )
        );
      }
    }
    sections.push(
      step(
        'embeddings',
        trans.__('1. Embeddings'),
        embeddingFormula(!!arr(emb.token_type), !!emb.layer_norm),
        trans.__(
          'Each token becomes %1 numbers: one row per token, one column per dimension (blue negative, red positive).',
          D
        ),
        ...parts
      )
    );
    const x = arr(result.x);
    if (x) {
      sections.push(
        step(
          'x',
          trans.__('2. X: the input of layer %1', layer),
          `X [${n} × ${D}]`,
          trans.__(
            "The vectors this layer starts from: the embeddings for layer 0, the previous layer's output after."
          ),
          matrixView(x.data, n, D, { rowLabels: tokens, highlightRow: token })
        )
      );
    }
    const w: Partial<TransformerStepsFields['weights']> = result.weights ?? {};
    const wParts: HTMLElement[] = [];
    for (const key of ['query', 'key', 'value'] as const) {
      const a = arr(w[key]);
      if (a) {
        // Shown transposed (d × D) so the three fit side by side.
        wParts.push(
          captioned(
            `W${key[0]}ᵀ [${a.shape[1]} × ${a.shape[0]}]`,
            matrixView(transpose(a.data, a.shape[0], a.shape[1]), a.shape[1], a.shape[0])
          )
        );
      }
    }
    sections.push(
      step(
        'weights',
        trans.__('3. Weights of head %1', head),
        trans.__("Wq, Wk, Wv: this head's slices %1", '[D × d]'),
        trans.__(
          'Learned matrices that turn each %1-number vector into a query, a key and a value of %2 numbers.',
          D,
          d
        ),
        ...wParts
      )
    );
    const qkv: HTMLElement[] = [];
    for (const key of ['q', 'k', 'v'] as const) {
      const a = arr(result[key]);
      if (a) {
        qkv.push(
          captioned(
            `${key.toUpperCase()} [${n} × ${d}]`,
            matrixView(a.data, n, d, {
              rowLabels: tokens,
              highlightRow: key === 'q' ? token : null
            })
          )
        );
      }
    }
    sections.push(
      step(
        'qkv',
        trans.__('4. Queries, keys, values'),
        'Q = X·Wq + bq    K = X·Wk + bk    V = X·Wv + bv',
        trans.__(
          'Row "%1" of Q is what this token looks for; each row of K is what a token offers; V is what it passes on.',
          chosen
        ),
        ...qkv
      )
    );
    const scores = arr(result.scores);
    if (scores) {
      sections.push(
        step(
          'scores',
          trans.__('5. Scores'),
          trans.__('scores = Q·Kᵀ × %1   (= 1/√%2)', formatValue(Number(result.scale)), d),
          trans.__(
            'How well each query matches each key. Row "%1" holds its scores against every token.',
            chosen
          ),
          matrixView(scores.data, n, n, {
            rowLabels: tokens,
            colLabels: tokens,
            highlightRow: token
          })
        )
      );
    }
    const mask = arr(result.mask);
    if (mask) {
      sections.push(
        step(
          'mask',
          trans.__('6. Mask'),
          result.causal
            ? trans.__('mask[i, j] = 1 when j ≤ i (causal)')
            : trans.__('mask[i, j] = 1 for every real token'),
          trans.__('Where the mask is 0 the score becomes −∞, so that token gets no attention.'),
          matrixView(mask.data, n, n, {
            rowLabels: tokens,
            colLabels: tokens,
            mode: 'sequential',
            range: [0, 1],
            highlightRow: token
          })
        )
      );
    }
    const attention = arr(result.attention);
    if (attention) {
      const row = Array.from(
        attention.data.subarray(token * n, (token + 1) * n) as ArrayLike<number>
      );
      const best = row.indexOf(Math.max(...row));
      sections.push(
        step(
          'softmax',
          trans.__('7. Softmax'),
          trans.__('attention[i, j] = exp(s[i, j]) / Σₖ exp(s[i, k])   (s = masked scores)'),
          trans.__(
            'Each row now sums to 1. "%1" gives most attention to "%2" (%3).',
            chosen,
            tokens[best],
            formatValue(row[best])
          ),
          matrixView(attention.data, n, n, {
            rowLabels: tokens,
            colLabels: tokens,
            mode: 'sequential',
            range: [0, 1],
            highlightRow: token
          })
        )
      );
    }
    const output = arr(result.output);
    if (output) {
      sections.push(
        step(
          'output',
          trans.__('8. Weighted sum of the values'),
          'output = attention · V',
          trans.__(
            'Row "%1" mixes the value rows with its attention weights: this head\'s %2 numbers for the token.',
            chosen,
            d
          ),
          matrixView(output.data, n, d, { rowLabels: tokens, highlightRow: token })
        )
      );
    }
    body.replaceChildren(...sections);
  };
  // Every row is in the result: another token needs no new run.
  tokenSelect.onchange = () => {
    token = Number(tokenSelect.value);
    draw();
  };
  draw();
  container.replaceChildren(controls, body);
}
