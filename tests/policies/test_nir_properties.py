"""Property-based tests: every valid generated NIR passes, every single-digit corruption
fails, normalisation is idempotent (issue 3, "Done when")."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from nir_helpers import full

from policies import identifier_scheme

SCHEME = identifier_scheme("nir", accept_provisional=True)
NIR13 = identifier_scheme("nir13", accept_provisional=True)


def _num(low: int, high: int, width: int):
    return st.integers(low, high).map(lambda n: f"{n:0{width}d}")


MONTHS = st.one_of(_num(1, 12, 2), _num(20, 42, 2), _num(50, 99, 2))
METROPOLE = st.tuples(
    st.sampled_from([f"{n:02d}" for n in range(1, 97) if n != 20]), _num(1, 999, 3))
OVERSEAS = st.tuples(
    st.sampled_from([f"97{d}" for d in "12345678"] + [f"98{d}" for d in "456789"]), _num(1, 99, 2))
ABROAD = st.tuples(st.just("99"), st.one_of(_num(100, 599, 3), st.just("990")))


@st.composite
def bodies(draw) -> str:
    type_digit = draw(st.sampled_from("1278"))
    year = draw(_num(0, 99, 2))
    month = draw(MONTHS)
    dept, commune = draw(st.one_of(METROPOLE, OVERSEAS, ABROAD, corsica(int(year))))
    order = draw(_num(1, 999, 3))
    return type_digit + year + month + dept + commune + order


def corsica(year: int):
    if 26 <= year <= 75:  # certainly before 1976
        return st.tuples(st.just("20"), _num(1, 999, 3))
    if year >= 76:  # certainly 1976-1999
        return st.tuples(st.sampled_from(["2A", "2B"]), _num(1, 999, 3))
    return st.tuples(st.sampled_from(["20", "2A", "2B"]), _num(1, 999, 3))


@settings(max_examples=300, deadline=None, database=None)
@given(bodies())
def test_every_valid_generated_nir_passes(body):
    assert SCHEME.check(full(body)).passing, SCHEME.check(full(body)).codes
    assert NIR13.check(body).passing
    assert NIR13.check(full(body)).value == body


@settings(max_examples=300, deadline=None, database=None)
@given(bodies(), st.data())
def test_every_single_digit_corruption_fails(body, data):
    nir = full(body)
    digits = [i for i, c in enumerate(nir) if c.isdigit()]
    index = data.draw(st.sampled_from(digits))
    other = data.draw(st.sampled_from([d for d in "0123456789" if d != nir[index]]))
    corrupted = nir[:index] + other + nir[index + 1:]
    assert not SCHEME.check(corrupted).passing


@settings(max_examples=200, deadline=None, database=None)
@given(st.text(max_size=40))
def test_normalisation_is_idempotent(raw):
    for name in ("nir", "nir13", "provisional", "username", "email"):
        scheme = identifier_scheme(name)
        once = scheme.normalise(raw)
        assert scheme.normalise(once) == once, name


@settings(max_examples=100, deadline=None, database=None)
@given(bodies(), st.sampled_from([" ", ".", "-", "  "]))
def test_separators_never_change_the_value(body, separator):
    nir = full(body)
    spaced = separator.join([nir[0], nir[1:3], nir[3:5], nir[5:7], nir[7:10], nir[10:13], nir[13:]])
    assert SCHEME.check(spaced).value == nir
    assert SCHEME.check(spaced.lower()).value == nir


@settings(max_examples=100, deadline=None, database=None)
@given(st.integers(0, 10 ** 10 - 1))
def test_provisional_identifiers_round_trip(number):
    from policies.identifiers.provisional import provisional_key

    digits = f"{number:010d}"
    scheme = identifier_scheme("provisional")
    assert scheme.check("P" + digits + provisional_key(digits)).passing
    wrong = f"{(int(provisional_key(digits)) % 97) + 1:02d}"
    assert not scheme.check("P" + digits + wrong).passing
