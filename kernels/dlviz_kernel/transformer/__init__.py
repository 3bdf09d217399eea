"""Tasks on pretrained transformers (BERT-like models from Hugging Face)."""
