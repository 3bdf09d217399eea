"""dlviz-lab kernel runtime."""
