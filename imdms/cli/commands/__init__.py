"""One module per `imdms` subcommand."""
