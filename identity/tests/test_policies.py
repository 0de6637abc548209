"""The password policy engine on each preset's rules, seed examples, edge cases and properties."""

import dataclasses
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from identity.policies import (
    count_digits,
    count_lower,
    count_special,
    count_upper,
    describe,
    evaluate,
    unmet_codes,
)
from tenants.policies import PasswordPolicy
from tenants.presets import preset

A, B, C, D, E = (preset(code, name="Test").password_policy for code in "ABCDE")


@pytest.mark.parametrize(
    ("policy", "password", "login", "unmet"),
    [
        # A: 8+, 2 upper, 2 lower, 2 digits, 1 special from ! @ # $ % & * ( ) - +
        (A, "RyBa18$05", "L0910850", []),  # the seed's own example
        (A, "Ryba18$05", "L0910850", ["min_uppercase"]),
        (A, "RyBa18^05", "L0910850", ["min_special"]),  # ^ is not in A's list
        (A, "RB18$", "L0910850", ["min_length", "min_lowercase"]),
        # B: 6+, 1 special from its list, 1 digit, 1 upper, 1 letter, 1 lower, not the login
        (B, "Kop3rnik!", "100123", []),
        (B, "Ab1!100123", "100123", ["contains_login"]),
        (B, "Ab1~xy", "100123", ["min_special"]),  # ~ is not in B's list
        (B, "abc1!x", "100123", ["min_uppercase"]),
        # C: 8+, 1 upper, a digit or a special
        (C, "Iskra2026", "anna", []),
        (C, "Iskra#Prad", "anna", []),
        (C, "Iskrapradu", "anna", ["min_digits_or_special"]),
        (C, "iskra2026", "anna", ["min_uppercase"]),
        # D: 6-20, 1 digit, 1 upper, no specials, no Polish letters
        (D, "Dabrowa7", "D0001234", []),
        (D, "Dąbrowa7", "D0001234", ["ascii_only"]),
        (D, "Dabrowa7!", "D0001234", ["no_special"]),
        (D, "Dabrowa 7", "D0001234", ["no_special"]),
        (D, "Dabrowa7" * 3, "D0001234", ["max_length"]),
        (D, "Da7", "D0001234", ["min_length"]),
        # common passwords are refused whatever the rules say
        (E, "password1", "klient", ["common"]),
    ],
)
def test_seed_policies(policy, password, login, unmet):
    assert unmet_codes(password, policy, login=login) == unmet


def test_long_password_with_spaces_and_emoji_is_accepted_without_truncation():
    policy = PasswordPolicy(min_length=8, max_length=128)
    password = "mój długi 🐟 sentence with spaces " * 3
    assert unmet_codes(password, policy) == []
    assert next(v for v in evaluate(password, policy) if v.code == "min_length").met


def test_reused_password_is_refused_when_history_applies():
    assert unmet_codes("Kop3rnik!", B, login="100123", reused=lambda p: p == "Kop3rnik!") == [
        "reused"
    ]
    assert unmet_codes("Kop3rnik?", B, login="100123", reused=lambda p: p == "Kop3rnik!") == []


@pytest.mark.parametrize("code", ["A", "B", "C", "D", "E"])
def test_describe_lists_every_rule_of_the_preset_in_polish(code):
    rules = describe(preset(code, name="X").password_policy)
    assert rules[0].code == "min_length"
    assert all(rule.detail for rule in rules)
    assert "Co najmniej" in rules[0].detail


# --- properties -----------------------------------------------------------------------------

passwords = st.text(
    alphabet=st.sampled_from(string.ascii_letters + string.digits + "!@#$%^&*()-+ ąęłśźżĄŁŻ~?"),
    max_size=40,
)
count_rules = st.sampled_from(["min_uppercase", "min_lowercase", "min_digits", "min_special"])
REFERENCE = {
    "min_uppercase": lambda p, pol: sum(c.isupper() for c in p),
    "min_lowercase": lambda p, pol: sum(c.islower() for c in p),
    "min_digits": lambda p, pol: sum(c in "0123456789" for c in p),
    "min_special": lambda p, pol: sum(c in pol.special_characters for c in p),
}
EXAMPLE_CHAR = {"min_uppercase": "Q", "min_lowercase": "q", "min_digits": "7", "min_special": "#"}


@settings(max_examples=300)
@given(password=passwords, rule=count_rules, n=st.integers(min_value=1, max_value=5))
def test_each_count_rule_verdict_matches_its_definition(password, rule, n):
    policy = PasswordPolicy(
        min_length=1, special_characters="!@#$%&*()-+", reject_common=False, **{rule: n}
    )
    verdict = next(v for v in evaluate(password, policy) if v.code == rule)
    assert verdict.met == (REFERENCE[rule](password, policy) >= n)


@settings(max_examples=300)
@given(
    password=passwords,
    rule=count_rules,
    n=st.integers(min_value=1, max_value=5),
    at=st.integers(min_value=0),
)
def test_adding_a_required_character_never_breaks_that_rule(password, rule, n, at):
    policy = PasswordPolicy(
        min_length=1, special_characters="!@#$%&*()-+", reject_common=False, **{rule: n}
    )
    position = at % (len(password) + 1)
    longer = password[:position] + EXAMPLE_CHAR[rule] + password[position:]
    before = next(v for v in evaluate(password, policy) if v.code == rule)
    after = next(v for v in evaluate(longer, policy) if v.code == rule)
    assert after.met or not before.met


@settings(max_examples=200)
@given(password=passwords)
def test_length_and_character_class_verdicts_match_their_definitions(password):
    policy = PasswordPolicy(
        min_length=6,
        max_length=20,
        no_special=True,
        ascii_only=True,
        min_digits_or_special=1,
        reject_common=False,
    )
    verdicts = {v.code: v.met for v in evaluate(password, policy)}
    assert verdicts["min_length"] == (len(password) >= 6)
    assert verdicts["max_length"] == (len(password) <= 20)
    assert verdicts["no_special"] == all(c.isalpha() or c in "0123456789" for c in password)
    assert verdicts["ascii_only"] == all(c.isascii() for c in password if c.isalpha())
    either = count_digits(password) + count_special(password, policy)
    assert verdicts["min_digits_or_special"] == (either >= 1)


def test_counters_agree_with_simple_examples():
    assert (count_upper("AbĆd"), count_lower("AbĆd"), count_digits("a1b22")) == (2, 2, 3)
    policy = dataclasses.replace(A)
    assert count_special("a!b^c#", policy) == 2
