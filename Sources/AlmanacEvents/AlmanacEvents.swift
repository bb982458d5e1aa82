// Placeholder: replaced by the AlmanacEvents implementation.
