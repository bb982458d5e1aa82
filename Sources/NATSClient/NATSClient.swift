// Placeholder: replaced by the NATSClient implementation.
