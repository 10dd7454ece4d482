"""A token is verified once and then remembered: until its `exp` and never longer, in a bounded
cache, and only while the key that verified it is still published."""

import time
import uuid

import pytest
from jwt import PyJWK

from schediora_runtime.security import InvalidToken, TokenVerifier
from schediora_runtime.security.verifier import TokenCache
from schediora_testkit.tokens import AUDIENCE, ISSUER, SigningKey, jwks


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


class Keys:
    """A key source whose keys a test can withdraw, counting the lookups."""

    def __init__(self, *keys: SigningKey) -> None:
        self.keys = {k["kid"]: PyJWK(k, algorithm="EdDSA") for k in jwks(*keys)["keys"]}

    async def get(self, kid: str) -> PyJWK | None:
        return self.keys.get(kid)

    async def aclose(self) -> None:
        return None


def verifier(keys: Keys, cache: TokenCache) -> TokenVerifier:
    return TokenVerifier(keys, issuer=ISSUER, audience=AUDIENCE, cache=cache)


async def test_a_verified_token_is_answered_from_the_cache():
    key = SigningKey()
    cache = TokenCache(clock=Clock())
    tokens = verifier(Keys(key), cache)
    token = key.access_token(uuid.uuid4())

    first = await tokens.verify(token)

    assert cache.get(token).claims == first
    assert await tokens.verify(token) is first


async def test_an_entry_ends_at_the_tokens_exp():
    key = SigningKey()
    clock = Clock()
    cache = TokenCache(clock=clock)
    tokens = verifier(Keys(key), cache)
    token = key.access_token(uuid.uuid4(), exp=int(clock.now) + 60)
    claims = await tokens.verify(token)

    clock.now = claims.expires_at.timestamp() - 0.001
    assert cache.get(token) is not None
    clock.now = claims.expires_at.timestamp()
    assert cache.get(token) is None
    assert len(cache) == 0


async def test_a_token_inside_the_leeway_is_accepted_but_never_remembered():
    key = SigningKey()
    cache = TokenCache()
    tokens = verifier(Keys(key), cache)
    token = key.access_token(uuid.uuid4(), exp=int(time.time()) - 2)

    await tokens.verify(token)

    assert len(cache) == 0


async def test_the_cache_is_bounded_and_drops_the_oldest_first():
    key = SigningKey()
    cache = TokenCache(size=3)
    tokens = verifier(Keys(key), cache)
    issued = [key.access_token(uuid.uuid4()) for _ in range(5)]

    for token in issued:
        await tokens.verify(token)

    assert len(cache) == 3
    assert [cache.get(token) is not None for token in issued] == [False, False, True, True, True]


async def test_a_refused_token_is_not_remembered():
    key, stranger = SigningKey(), SigningKey()
    cache = TokenCache()
    tokens = verifier(Keys(key), cache)

    with pytest.raises(InvalidToken):
        await tokens.verify(stranger.access_token(uuid.uuid4()))

    assert len(cache) == 0


async def test_withdrawing_the_key_ends_its_tokens_cached_answers():
    key = SigningKey()
    keys = Keys(key)
    tokens = verifier(keys, TokenCache())
    token = key.access_token(uuid.uuid4())
    await tokens.verify(token)

    keys.keys.clear()

    with pytest.raises(InvalidToken):
        await tokens.verify(token)


async def test_a_revocation_can_cut_entries_by_their_claims():
    key = SigningKey()
    cache = TokenCache()
    tokens = verifier(Keys(key), cache)
    revoked_user, other_user = uuid.uuid4(), uuid.uuid4()
    revoked = key.access_token(revoked_user)
    kept = key.access_token(other_user)
    await tokens.verify(revoked)
    await tokens.verify(kept)

    assert cache.forget_where(lambda claims: claims.user_id == revoked_user) == 1

    assert cache.get(revoked) is None
    assert cache.get(kept) is not None


async def test_a_zero_size_cache_remembers_nothing():
    key = SigningKey()
    cache = TokenCache(size=0)
    await verifier(Keys(key), cache).verify(key.access_token(uuid.uuid4()))
    assert len(cache) == 0
