// Placeholder: replaced by the Projections implementation.
