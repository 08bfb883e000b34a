"""Privacy: small-number suppression, redaction of personal details, pseudonymous ids."""
