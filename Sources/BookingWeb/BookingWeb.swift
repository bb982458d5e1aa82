// Placeholder: replaced by the BookingWeb implementation.
