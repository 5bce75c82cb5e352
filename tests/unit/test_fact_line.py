"""The catalog read writes each product's facts as a line of ``LOAD DATA``'s text format
with a formatter that knows the columns' types; it writes exactly what ``tsv_line`` does."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from channel.classification import _fact_line
from channel.db import tsv_line
from channel.listing_state import FACT_COLUMNS

text = st.text(alphabet=st.characters(codec="utf-8"), max_size=40) | st.sampled_from(["a\tb", "c\\nd", "e\r\nf", "\\N"])
flag = st.integers(0, 1)
row = st.tuples(
    st.integers(1, 2**32 - 1), text, text, flag, flag, st.integers(0, 10**9),
    st.none() | st.decimals(min_value=0, max_value=10**8, places=4, allow_nan=False),
    st.none() | st.sampled_from(["new_new", "used_good"]), st.none() | st.just("") | text, flag, flag, flag,
    st.none() | text)


@given(row)
def test_a_fact_line_is_the_tsv_line_of_its_row(values):
    assert len(values) == len(FACT_COLUMNS)
    assert _fact_line(values) == tsv_line(values)


def test_values_that_need_escaping_and_nulls_are_written_as_load_data_reads_them():
    values = (7, "SKU\t1", "Name\nwith\\slash", 1, 0, 3, None, None, None, 0, 0, 1, None)
    assert _fact_line(values) == "7\tSKU\\t1\tName\\nwith\\\\slash\t1\t0\t3\t\\N\t\\N\t\\N\t0\t0\t1\t\\N\n"
    assert _fact_line((8, "S", "", 1, 1, 0, Decimal("9.5000"), "new_new", "B0", 1, 0, 1, "x")).split("\t")[6] == "9.5000"
