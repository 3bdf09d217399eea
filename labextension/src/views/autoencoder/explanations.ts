/** What a learner reads at the top of the autoencoder explorer and under each section title. */
import { trans } from '../../i18n';

/** Getters: each text is translated when read, in the language JupyterLab shows then. */
export const EXPLAIN = {
  get overview(): string {
    return trans.__(
      'An autoencoder squeezes each image into a few numbers, its code, and draws the image back from them. Move the pointer over the latent space to decode any point, draw a digit to see where it lands, and compare the network with PCA of the same size.'
    );
  },
  get latent(): string {
    return trans.__(
      'Each validation image is a dot at its code, coloured by its class; the image beside the plane is the decoder’s picture of the point under the pointer. Click two dots to pick them for the interpolation.'
    );
  },
  get draw(): string {
    return trans.__(
      'Draw a digit (or upload a picture): the encoder turns it into a code, marked with a cross in the latent space (a VAE’s Gaussian as a dashed ellipse one σ wide), and the decoder draws it back.'
    );
  },
  get reconstructions(): string {
    return trans.__(
      'The same validation images drawn back by the decoder after each kept epoch: slide to watch them sharpen as the network learns.'
    );
  },
  get interpolation(): string {
    return trans.__(
      'The decoded images along the way from image A’s code to image B’s, on a straight line or along the sphere (which keeps the code’s length).'
    );
  },
  get grid(): string {
    return trans.__(
      'Images decoded at evenly spaced points of the latent plane: how the decoder fills the space between the classes.'
    );
  },
  get compare(): string {
    return trans.__(
      'The network against PCA with as many components as the latent size, fitted on the same training images: per-pixel error on the validation images, and their pictures side by side.'
    );
  },
  get curves(): string {
    return trans.__(
      'The validation reconstruction error after each epoch beside PCA’s (dashed); for a VAE, also the KL term that keeps its codes close to N(0, I).'
    );
  }
};
