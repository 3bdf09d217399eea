"""Recurrent networks (RNN, LSTM, GRU): train one on sequences, and look at its hidden states."""
