"""Legal aid (seed 004): a subscriber hands the dossier of an unanswered or unresolved complaint
to the consumer organisation's legal-aid service."""
