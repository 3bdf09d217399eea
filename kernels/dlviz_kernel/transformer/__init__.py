"""The transformer family: attention (head, model, neuron views), attention step by step,
token vectors in 2-D, and a tiny transformer trained from scratch.

Notebook use: ``dlviz_kernel.transformer.views.attention_view(model, tokenizer, text)``
(see ``views``). Importing this package is cheap; torch loads when a view runs.
"""
