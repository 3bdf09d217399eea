"""dlviz-lab kernel runtime: runs the tasks the dlviz-lab side panel asks for, inside your kernel.

You rarely call it yourself. Useful from a notebook:

- ``dlviz_kernel.get_model(run_id)``: the model a run made (for example a trained network).
- ``dlviz_kernel.list_models()``: the models and tokenizers your notebook's variables hold.
- ``model, history = dlviz_kernel.train("cnn.train", {...})``: train as the side panel does.
- ``dlviz_kernel.code_for_run(run_id)``: the notebook code that repeats a training run.
- ``dlviz_kernel.transformer.views.attention_view(model, tokenizer, text, view="neuron")``:
  the data of the attention views for a model and tokenizer you hold (also ``steps_view``,
  ``projection_view``); ``dlviz_kernel.train("transformer.train", {...})`` trains a tiny one.

Importing it is cheap: torch and transformers are loaded only when a task needs them.
"""

from .models import get_model, list_models
from .notebook import code_for, code_for_run, train
from .protocol import MIME_TYPE
from .tasks import TaskError, run_request

__version__ = "0.1.0"

# Set by the server's bootstrap to the hash of the files it sent, so it can tell whether
# this kernel already has the current runtime.
__bundle_hash__ = None

__all__ = ["MIME_TYPE", "TaskError", "__version__", "code_for", "code_for_run", "get_model",
           "list_models", "run_request", "train"]
