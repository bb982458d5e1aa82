// Placeholder: replaced by the Access implementation.
