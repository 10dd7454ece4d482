"""Signing keys: ids, JWKS, loading from the environment, and development key files."""

import stat

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from auth.settings import Settings
from auth.signing import keys
from auth.signing.keys import KeyRing, SigningKeyMissing, load_key_ring


def _public_pem(key: Ed25519PrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def test_key_id_is_the_rfc_7638_thumbprint():
    # RFC 8037 appendix A.3: the thumbprint of the Ed25519 example key.
    public = Ed25519PublicKey.from_public_bytes(
        bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
    )
    assert keys.key_id(public) == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"


def test_jwks_publishes_the_signing_key_then_previous_public_keys_only():
    current, previous = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    ring = KeyRing(current, [previous.public_key(), current.public_key()])
    jwks = ring.jwks()["keys"]
    assert [jwk["kid"] for jwk in jwks] == [ring.kid, keys.key_id(previous.public_key())]
    for jwk in jwks:
        assert set(jwk) == {"kty", "crv", "x", "kid", "alg", "use"}
        assert (jwk["kty"], jwk["crv"], jwk["alg"], jwk["use"]) == (
            "OKP",
            "Ed25519",
            "EdDSA",
            "sig",
        )


def test_keys_come_from_the_environment_with_escaped_newlines():
    current, previous = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    pem = keys.private_pem(current).decode().replace("\n", "\\n")
    settings = Settings(jwt_signing_key=pem, jwt_previous_public_keys=_public_pem(previous))
    ring = load_key_ring(settings)
    assert ring.kid == keys.key_id(current.public_key())
    assert [keys.key_id(k) for k in ring.previous] == [keys.key_id(previous.public_key())]


def test_a_non_ed25519_signing_key_is_refused():
    from cryptography.hazmat.primitives.asymmetric import ec

    pem = (
        ec.generate_private_key(ec.SECP256R1())
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )
    with pytest.raises(ValueError, match="Ed25519"):
        load_key_ring(Settings(jwt_signing_key=pem))


def test_production_refuses_to_start_without_a_configured_key(tmp_path):
    with pytest.raises(SigningKeyMissing):
        load_key_ring(Settings(environment="production"))
    with pytest.raises(SigningKeyMissing):
        load_key_ring(
            Settings(environment="production", jwt_signing_key_file=tmp_path / "missing.pem")
        )
    assert not (tmp_path / "missing.pem").exists()


def test_production_reads_a_mounted_key_file(tmp_path):
    key = Ed25519PrivateKey.generate()
    path = tmp_path / "signing.pem"
    path.write_bytes(keys.private_pem(key))
    ring = load_key_ring(Settings(environment="production", jwt_signing_key_file=path))
    assert ring.kid == keys.key_id(key.public_key())


def test_development_generates_a_private_key_file_once(tmp_path):
    path = tmp_path / "var" / "auth-signing-key.pem"
    first = load_key_ring(Settings(environment="development", jwt_signing_key_file=path))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    second = load_key_ring(Settings(environment="development", jwt_signing_key_file=path))
    assert first.kid == second.kid
    assert list(path.parent.iterdir()) == [path]  # no temporary file left behind


def test_an_unwritable_key_location_falls_back_to_a_process_key(tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    ring = load_key_ring(
        Settings(environment="development", jwt_signing_key_file=blocker / "key.pem")
    )
    assert ring.kid
