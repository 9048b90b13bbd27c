"""`/incident`: the listener, its grammar and the subcommand interpreters."""
