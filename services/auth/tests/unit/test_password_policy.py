"""Password policy (auth README: Passwords): length, no composition rules, the list."""

from importlib import resources

import pytest

from auth.passwords import policy


def test_the_shipped_common_password_list_has_at_least_10000_entries():
    shipped = resources.files(policy.__package__).joinpath("common-passwords.txt")
    assert len(shipped.read_text("utf-8").splitlines()) >= 10_000
    common = policy.common_passwords()  # compared case-insensitively: 9,913 distinct
    assert {"password", "12345678", "123456789", "qwerty", "iloveyou"} <= common


@pytest.mark.parametrize("password", ["password", "12345678", "PassWord", "QWERTY123", "iloveyou"])
def test_common_passwords_are_refused_whatever_their_case(password):
    assert "too common" in " ".join(policy.problems(password))


@pytest.mark.parametrize("length", [0, 1, 7])
def test_fewer_than_8_characters_are_refused(length):
    assert policy.problems("q" * length) == ["Password must have at least 8 characters."]


def test_more_than_128_characters_are_refused():
    assert policy.problems("x" * 129) == ["Password must have at most 128 characters."]


@pytest.mark.parametrize(
    "password",
    [
        "k3#vLq9z",  # 8
        "lowercase letters only, as long as we like it",  # no composition rule
        "Z" * 64,
        "y" * 128,
        "пароль-для-проверки",  # Unicode
        "パスワードは長いほうがいい",
        "emoji 🔐🔑 password",
    ],
)
def test_any_long_enough_uncommon_password_is_accepted(password):
    assert policy.problems(password) == []


def test_length_counts_characters_not_bytes():
    assert policy.problems("ü" * 8) == []
    assert policy.problems("🔐" * 128) == []  # 512 bytes


def test_the_problem_text_never_contains_the_password():
    for password in ["sh0rt", "x" * 200, "qwertyuiop"]:
        assert all(password not in problem for problem in policy.problems(password))


def test_hashing_input_is_nfkc_normalised_utf8():
    assert policy.normalized("ﬁ") == b"fi"
    assert policy.normalized("Å") == policy.normalized("Å")
