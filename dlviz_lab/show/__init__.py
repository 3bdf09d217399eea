"""The notebook API: show a model's insides right in a notebook cell, offline.

    from dlviz_lab import show
    show.attention(model, tokenizer, "The cat sat on the mat.", view="head")
    show.model_summary(model)
    show.filters(cnn, image=digit)                  # conv filters, feature maps of one image
    show.hidden_states(lstm_model, ids, text="hello")   # units x steps, gates
    show.decision_boundary(mlp, X, y)               # a 2-D classifier over the plane
    show.latent_space(encoder, X, y, decoder=decoder)
    show.training_curves(history)                   # [{"loss": ..., "val_loss": ...}, ...]

Everything runs in the notebook's own kernel (no REST call, no server needed). The cell's
output is data only: the MIME type ``application/vnd.dlviz-lab.view.v1+json`` (drawn by the
dlviz-lab JupyterLab extension) plus a one-line ``text/plain``; no HTML and no JavaScript, so it
renders offline and again after the notebook is saved and reopened. Payloads and their size
bounds: docs/protocol.md, "Notebook outputs". Importing this package is cheap: torch is imported
when a function runs.
"""

from ._view import VIEW_MIME_TYPE, View
from .attention import ATTENTION_VIEWS, attention, model_summary
from .boundary import decision_boundary
from .cnn_filters import filters
from .curves import training_curves
from .latent import latent_space
from .rnn_states import hidden_states

__all__ = ["ATTENTION_VIEWS", "VIEW_MIME_TYPE", "View", "attention", "decision_boundary",
           "filters", "hidden_states", "latent_space", "model_summary", "training_curves"]
