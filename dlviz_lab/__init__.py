"""dlviz-lab server extension."""
