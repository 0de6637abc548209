"""Presets are valid and impossible policies are rejected (pure functions, no database)."""

import dataclasses

import pytest

from tenants import policies
from tenants.policies import PasswordPolicy, PolicyError, RegistrationFlow
from tenants.presets import PRESET_FOR_KIND, preset

EXPECTED_FLOWS = {
    "A": RegistrationFlow.ACTIVATION_REQUEST,
    "B": RegistrationFlow.VERIFIED_SELF_SERVICE,
    "C": RegistrationFlow.CONTRACT_ACTIVATION,
    "D": RegistrationFlow.IN_PERSON,
    "E": RegistrationFlow.INVOICE_ACTIVATION,
}


@pytest.mark.parametrize("code", ["A", "B", "C", "D", "E"])
def test_every_preset_is_valid_and_round_trips_through_json(code):
    config = preset(code, name="Organizacja Testowa")
    assert config.problems() == {}
    assert config.registration.flow == EXPECTED_FLOWS[code]
    assert policies.config_from_json(policies.config_to_json(config)) == config


def test_presets_reproduce_the_seed_rules():
    a, b, c, d, e = (preset(x, name="X") for x in "ABCDE")
    assert (a.password_policy.min_length, a.password_policy.min_uppercase) == (8, 2)
    assert (a.password_policy.min_lowercase, a.password_policy.min_digits) == (2, 2)
    assert a.password_policy.special_characters == "!@#$%&*()-+"
    assert a.links.set_password_hours == 24
    assert a.registration.customer_symbol_pattern == r"L\d{7}"
    assert b.password_policy.forbid_login
    assert b.password_policy.history == 1
    assert b.registration.captcha == policies.Captcha.DIGIT_POSITIONS
    assert len(b.registration.fields) == 7
    assert c.password_policy.min_digits_or_special == 1
    assert c.lockout.threshold == 5
    assert c.lockout.unlock == policies.Unlock.STAFF_ONLY
    assert c.links.activation_hours == 24
    assert (d.password_policy.min_length, d.password_policy.max_length) == (6, 20)
    assert d.password_policy.no_special
    assert d.password_policy.ascii_only
    assert d.lockout.threshold == 3
    assert not d.registration.online
    assert e.registration.captcha == policies.Captcha.IMAGE
    assert policies.Module.PROPERTY_MANAGERS in e.modules
    assert all(x.session.idle_timeout_minutes == 15 for x in (a, b, c, d, e))


def test_every_kind_has_a_default_preset():
    assert set(PRESET_FOR_KIND) == {
        "housing_cooperative",
        "water_utility",
        "energy_seller",
        "other",
    }


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"min_length": 10, "max_length": 8}, "max_length"),
        ({"max_length": 6, "min_uppercase": 3, "min_lowercase": 3, "min_digits": 1}, "max_length"),
        ({"no_special": True, "min_special": 1}, "no_special"),
        ({"min_length": 0}, "min_length"),
        ({"min_digits": -1}, "min_digits"),
        ({"special_characters": "ab#"}, "special_characters"),
        ({"ascii_only": True, "special_characters": "#ł"}, "special_characters"),
        ({"history": 100}, "history"),
    ],
)
def test_impossible_password_policies_are_rejected(changes, field):
    policy = dataclasses.replace(PasswordPolicy(), **changes)
    assert field in policy.problems()


def test_invalid_config_raises_with_every_problem_named():
    config = preset("A", name="X")
    broken = dataclasses.replace(
        config,
        password_policy=dataclasses.replace(config.password_policy, max_length=4),
        lockout=dataclasses.replace(config.lockout, threshold=0),
        branding=dataclasses.replace(config.branding, primary_colour="blue"),
    )
    with pytest.raises(PolicyError) as excinfo:
        broken.validate()
    assert {"password_policy.max_length", "lockout.threshold", "branding.primary_colour"} <= set(
        excinfo.value.problems
    )


@pytest.mark.parametrize(
    ("tp", "value"),
    [
        (int, "8"),
        (int, True),
        (bool, 1),
        (str, 5),
        (policies.Unlock, "never"),
        (tuple[policies.Module, ...], ["charges", "teleportation"]),
        (PasswordPolicy, {"min_length": 8, "unknown_rule": 1}),
    ],
)
def test_load_rejects_wrong_types(tp, value):
    with pytest.raises(PolicyError):
        policies.load(tp, value)


def test_registration_settings_reject_unknown_fields_and_contradictions():
    bad = policies.RegistrationSettings(fields=(policies.RegistrationField("shoe_size"),))
    assert "fields" in bad.problems()
    offline_with_fields = policies.RegistrationSettings(
        online=False, fields=(policies.RegistrationField("email"),)
    )
    assert "online" in offline_with_fields.problems()
