"""market-signals service: the faust app, broker, CLI and delivery. The only place with I/O."""
