import pandas as pd

from ui.widgets import DRAWN
from ui.widgets import as_text
from ui.widgets import drawn


def test_stored_text_is_escaped_for_markdown():
    assert as_text("*a* [b](c) <i>") == r"\*a\* \[b\]\(c\) \<i\>"
    assert as_text("1. _x_ # y") == r"1\. \_x\_ \# y"
    assert as_text("plain words") == "plain words"
    assert as_text("two\nlines") == "two  \nlines"


def _counted_bars(calls: list[int]):
    import altair as alt

    def bars(frame: pd.DataFrame, title: str) -> alt.Chart:
        calls.append(1)
        return alt.Chart(frame, title=title).mark_bar().encode(x="amount:Q", y="channel:N")

    return bars


def test_a_chart_is_built_once_for_the_same_figures_and_again_when_they_change():
    calls: list[int] = []
    bars = _counted_bars(calls)
    frame = pd.DataFrame({"channel": ["Events", "Webinars"], "amount": [10.0, 20.0]})
    first = drawn(bars, frame, "Spend")
    again = drawn(bars, frame.copy(), "Spend")
    assert calls == [1]
    assert first == again
    assert first["mark"] == {"type": "bar"}
    assert first["title"] == "Spend"
    changed = frame.assign(amount=[10.0, 21.0])
    drawn(bars, changed, "Spend")
    drawn(bars, frame, "Spend per month")
    assert len(calls) == 3


def test_each_caller_gets_its_own_copy_of_a_kept_chart():
    """st.vega_lite_chart moves the data out of the spec it is given; the kept one stays whole."""
    bars = _counted_bars([])
    frame = pd.DataFrame({"channel": ["Events"], "amount": [10.0]})
    shown = drawn(bars, frame, "Spend")
    shown.pop("datasets")
    assert "datasets" in drawn(bars, frame, "Spend")


def test_kept_charts_are_bounded():
    calls: list[int] = []
    bars = _counted_bars(calls)
    for amount in range(DRAWN.max_entries + 10):
        drawn(bars, pd.DataFrame({"channel": ["Events"], "amount": [float(amount)]}), "Spend")
    assert len(DRAWN) == DRAWN.max_entries
    drawn(bars, pd.DataFrame({"channel": ["Events"], "amount": [0.0]}), "Spend")
    assert len(calls) == DRAWN.max_entries + 11


def _two_tables() -> None:
    import pandas as pd

    from ui.widgets import text_table

    typed = pd.DataFrame({"Name *": ["*bold*", "[x](http://e.example)"], "Amount": [1.5, None]})
    text_table(typed, hide_index=True)
    text_table(typed.style.hide(axis="index"))


def test_a_table_shows_what_was_typed_not_markdown_with_or_without_styling():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_two_tables).run()
    assert not at.exception
    plain, styled = at.table
    assert list(plain.value.columns) == [r"Name \*", "Amount"]
    assert list(plain.value.iloc[:, 0]) == [r"\*bold\*", r"\[x\]\(http\://e\.example\)"]
    assert list(plain.value["Amount"]) == [r"1\.5", ""]
    assert styled.value.shape == plain.value.shape
