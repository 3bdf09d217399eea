"""The training engine shared by every trainable task (imports torch).

- ``engine``: train/validation split, optimizers, the loop with progress events and
  cancel (``fit``).
- ``snapshots``: the weights of the kept epochs, planned within a byte budget.
- ``monitor``: gradient norms, weight histograms, dead units and plain-language warnings.
- ``params``: defaults and checks for nested parameters (``blocks.2.kernel_size``).
- ``runs``: finished or cancelled runs kept in the kernel by run id.
"""

from .engine import Snapshots, Split, Training, TrainSettings, evaluate, fit, split

__all__ = ["Snapshots", "Split", "TrainSettings", "Training", "evaluate", "fit", "split"]
