// Placeholder: replaced by the EventStore implementation.
