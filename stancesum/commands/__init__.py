"""The commands of the `stancesum` command line, one module per command (group); shared helpers in common."""
