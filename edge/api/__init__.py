"""The box's HTTP API: thin routes that parse, call a service and map the result."""
