"""The ``uptake`` command: one module per subcommand, errors mapped to exit codes."""
