// Placeholder: replaced by the Booking implementation.
