/** What a learner reads at the top of the CNN explorer and under each of its section titles. */

export const EXPLAIN = {
  overview:
    'A convolutional network looks at an image through many small filters. Each filter slides over ' +
    'the image and lights up where it finds its pattern, making a feature map; later layers combine ' +
    'those maps into bigger patterns, and the last layer turns them into a guess. Pick or draw an ' +
    'image and slide through the epochs to watch it learn.',
  input: 'Pick an image of the data set, draw your own digit, or upload a picture; “What the model sees” shows it at the data set’s size.',
  predictions: 'How sure the model is of each class for this image: the longest bar is its answer.',
  featureMaps:
    'What every layer makes of this image: one small map per filter. Bright means the filter found its ' +
    'pattern there. Click a map to see it larger with the filter that made it.',
  filters:
    'The weights of every filter, red for positive and blue for negative. Slide through the epochs to ' +
    'see them change from random noise into pattern detectors.',
  saliency:
    'Which pixels matter for the answer. Saliency: how much a small change of each pixel would change ' +
    'the score. Grad-CAM: where the last conv layer found evidence for the predicted class.',
  confusion:
    'Rows are the true classes, columns what the model answered, on the validation images: the ' +
    'diagonal holds the right answers, everything else shows which classes it mixes up.',
  selectivity:
    'Where and for which classes each filter fires on the validation images. Filters are ordered so ' +
    'similar ones sit side by side; dead filters (never fire) and redundant ones (fire like an ' +
    'earlier filter) are flagged.',
  summary: 'Every layer of the network, the shape of its output and how many numbers (parameters) it learns.'
};
