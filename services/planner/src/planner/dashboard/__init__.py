"""The dashboard: a read model computed live from the sessions of the user's active plans."""
