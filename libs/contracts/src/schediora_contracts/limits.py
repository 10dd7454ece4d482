"""Limits that auth and the services verifying its tokens must agree on."""

ACCESS_TOKEN_MAX_TTL_SECONDS = 900
"""The longest an access token may live. Auth never issues one for longer, and every service
keeps a revoked session for this long (plus leeway): after that its tokens have expired anyway."""
