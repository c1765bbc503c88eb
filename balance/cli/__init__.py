"""The ``balance`` command line: one module per subcommand."""
