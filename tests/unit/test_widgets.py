from ui.widgets import as_text


def test_stored_text_is_escaped_for_markdown():
    assert as_text("*a* [b](c) <i>") == r"\*a\* \[b\]\(c\) \<i\>"
    assert as_text("1. _x_ # y") == r"1\. \_x\_ \# y"
    assert as_text("plain words") == "plain words"
    assert as_text("two\nlines") == "two  \nlines"
