/**
 * The explorer's Saliency and Grad-CAM section: which pixels matter for the answer.
 */
import { trans } from '../../i18n';
import { el, heatmap, overlayImage } from '../shared/draw';
import { cellSize } from './cnnLogic';
import { CnnInspected } from './cnnResult';

/** The input, its saliency map and Grad-CAM (over the input and at the conv layer's size). */
export function renderSaliency(box: HTMLElement, result: CnnInspected, classes: string[]): void {
  box.replaceChildren();
  const image = result.input?.image;
  if (!image) {
    return;
  }
  const [, h, w] = image.shape;
  const pixels = image.data.subarray(0, h * w);
  const cell = cellSize(w, 128);
  const figures: Node[] = [
    el(
      'figure',
      'dlviz-figure',
      undefined,
      overlayImage(pixels, h, w, null, cell),
      el('figcaption', undefined, trans.__('the input'))
    )
  ];
  const saliency = result.saliency;
  if (saliency) {
    figures.push(
      el(
        'figure',
        'dlviz-figure',
        undefined,
        heatmap(saliency.data, saliency.shape[0], saliency.shape[1], {
          cell: cellSize(saliency.shape[1], 128)
        }),
        el('figcaption', undefined, trans.__('saliency'))
      )
    );
  }
  const cam = result.grad_cam;
  if (cam && cam.upsampled) {
    figures.push(
      el(
        'figure',
        'dlviz-figure',
        undefined,
        overlayImage(pixels, h, w, cam.upsampled.data, cell),
        el(
          'figcaption',
          undefined,
          trans.__('Grad-CAM for “%1” on %2', classes[cam.class] ?? cam.class, cam.layer)
        )
      )
    );
    if (cam.map) {
      figures.push(
        el(
          'figure',
          'dlviz-figure',
          undefined,
          heatmap(cam.map.data, cam.map.shape[0], cam.map.shape[1], {
            cell: cellSize(cam.map.shape[1], 128),
            range: [0, 1]
          }),
          el(
            'figcaption',
            undefined,
            trans.__('Grad-CAM at %1×%2', cam.map.shape[0], cam.map.shape[1])
          )
        )
      );
    }
  } else {
    figures.push(el('p', 'dlviz-muted', trans.__('No Grad-CAM: the model has no conv layer.')));
  }
  box.appendChild(el('div', 'dlviz-figure-row', undefined, ...figures));
}
