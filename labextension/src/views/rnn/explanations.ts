/** What a learner reads at the top of the RNN explorer and under each of its section titles. */
import { trans } from '../../i18n';

/** Getters: each text is translated when read, in the language JupyterLab shows then. */
export const EXPLAIN = {
  get overview(): string {
    return trans.__(
      'A recurrent network reads a sequence one step at a time and keeps a hidden state h_t, its memory of what it has read so far. Click a cell of the heat map to pick a unit and a step: every section then shows that unit, and its formula with the real numbers. Slide through the epochs or type your own text to see the memory change.'
    );
  },
  get heatmap(): string {
    return trans.__(
      'The hidden state of every unit (rows) at every step (columns), red positive and blue negative. Click to pick a unit and step; drag across steps to select a span and find the units that are on there.'
    );
  },
  get text(): string {
    return trans.__(
      'The sequence coloured by the chosen unit: red where it is positive, blue where negative. Hover a step to see what the network expects next.'
    );
  },
  get gates(): string {
    return trans.__(
      'The gates decide what the cell forgets, takes in and lets out, each a number between 0 (closed) and 1 (open) per unit and step.'
    );
  },
  get saturation(): string {
    return trans.__(
      'One point per unit: how often its gate is nearly closed (below 0.1, across) and fully open (above 0.9, up). Units in the corners act like switches; units near the middle use the gate gradually.'
    );
  },
  get units(): string {
    return trans.__(
      'Drag across steps on the heat map to pick a span; the kernel finds the units that are on across it, then searches the data set for other places where the same units switch on together.'
    );
  },
  get predictions(): string {
    return trans.__(
      'What the network predicts after each step: the probability of every class as the sequence is read, or the most likely next characters.'
    );
  },
  get memory(): string {
    return trans.__(
      'How strongly the prediction at one step depends on each earlier input: the size of its gradient with respect to that input. Bars that fade to nothing to the left show a short memory.'
    );
  },
  get trajectory(): string {
    return trans.__(
      'The path of the hidden state through the steps, flattened onto the two directions in which it varies most (PCA).'
    );
  },
  get compare(): string {
    return trans.__(
      'The same data, seed and training settings for each cell: their learning curves and how far back their predictions reach.'
    );
  }
};
