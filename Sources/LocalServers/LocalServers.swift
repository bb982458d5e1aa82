// Placeholder: replaced by the LocalServers implementation.
