/** What a learner reads at the top of the CNN explorer and under each of its section titles. */
import { trans } from '../../i18n';

/** Getters: each text is translated when read, in the language JupyterLab shows then. */
export const EXPLAIN = {
  get overview(): string {
    return trans.__(
      'A convolutional network looks at an image through many small filters. Each filter slides over the image and lights up where it finds its pattern, making a feature map; later layers combine those maps into bigger patterns, and the last layer turns them into a guess. Pick or draw an image and slide through the epochs to watch it learn.'
    );
  },
  get input(): string {
    return trans.__(
      'Pick an image of the data set, draw your own digit, or upload a picture; “What the model sees” shows it at the data set’s size.'
    );
  },
  get predictions(): string {
    return trans.__(
      'How sure the model is of each class for this image: the longest bar is its answer.'
    );
  },
  get featureMaps(): string {
    return trans.__(
      'What every layer makes of this image: one small map per filter. Bright means the filter found its pattern there. Click a map to see it larger with the filter that made it.'
    );
  },
  get filters(): string {
    return trans.__(
      'The weights of every filter, red for positive and blue for negative. Slide through the epochs to see them change from random noise into pattern detectors.'
    );
  },
  get saliency(): string {
    return trans.__(
      'Which pixels matter for the answer. Saliency: how much a small change of each pixel would change the score. Grad-CAM: where the last conv layer found evidence for the predicted class.'
    );
  },
  get confusion(): string {
    return trans.__(
      'Rows are the true classes, columns what the model answered, on the validation images: the diagonal holds the right answers, everything else shows which classes it mixes up.'
    );
  },
  get selectivity(): string {
    return trans.__(
      'Where and for which classes each filter fires on the validation images. Filters are ordered so similar ones sit side by side; dead filters (never fire) and redundant ones (fire like an earlier filter) are flagged.'
    );
  },
  get summary(): string {
    return trans.__(
      'Every layer of the network, the shape of its output and how many numbers (parameters) it learns.'
    );
  }
};
