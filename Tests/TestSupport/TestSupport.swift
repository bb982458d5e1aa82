// Placeholder: replaced by the test server helpers.
