"""Rules of the codebase that a reviewer would otherwise have to remember."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted((ROOT / "pages").glob("*.py"))
SOURCES = [
    p
    for d in ("app.py", "pages", "ui", "alignment", "db")
    for p in ([ROOT / d] if d.endswith(".py") else sorted((ROOT / d).rglob("*.py")))
]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("page_file", PAGES, ids=lambda p: p.name)
def test_pages_hold_no_sql(page_file):
    imports = imported_modules(page_file)
    forbidden = {m for m in imports if m.split(".")[0] in ("sqlalchemy", "db")}
    assert not forbidden, f"{page_file.name} imports {forbidden}; put the query in alignment/"


@pytest.mark.parametrize(
    "module",
    sorted((ROOT / "alignment").rglob("*.py")),
    ids=lambda p: str(p.relative_to(ROOT / "alignment")),
)
def test_the_domain_does_not_import_streamlit(module):
    assert not any(m.split(".")[0] == "streamlit" for m in imported_modules(module))


@pytest.mark.parametrize(
    "module",
    [*sorted((ROOT / "alignment").rglob("*.py")), *sorted((ROOT / "db").glob("*.py"))],
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_nothing_points_back_up_to_the_pages_or_the_streamlit_edge(module):
    """alignment/ and db/ never import ui/ or pages/: the CLI uses them without Streamlit."""
    assert not {m for m in imported_modules(module) if m.split(".")[0] in ("ui", "pages", "app")}


def test_no_html_is_ever_unsafe():
    offenders = [
        str(p.relative_to(ROOT))
        for p in SOURCES
        if "unsafe_allow_html" in p.read_text() or "unsafe_allow_javascript" in p.read_text()
    ]
    assert offenders == []


def _module_constants(tree: ast.Module) -> set[str]:
    return {
        target.id
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
        for target in node.targets
        if isinstance(target, ast.Name)
    }


def test_raw_html_is_only_ever_a_constant_of_the_code():
    """st.html does not escape; it may only show markup written in the source, never stored
    or typed text."""
    offenders = []
    for path in SOURCES:
        tree = ast.parse(path.read_text())
        constants = _module_constants(tree)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "html"
            ):
                argument = node.args[0] if node.args else None
                constant = isinstance(argument, ast.Constant) or (
                    isinstance(argument, ast.Name) and argument.id in constants
                )
                if not constant:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_the_server_runs_with_xsrf_protection_and_without_error_details():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["enableXsrfProtection"] is True
    assert config["client"]["showErrorDetails"] == "none"


def test_the_upload_limit_is_one_number_on_screen_in_the_code_and_in_the_readme():
    """The uploader said "200MB per file" while the reader refused files over 150 MB."""
    from alignment.files.spreadsheet import MAX_FILE_BYTES

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == 150
    assert MAX_FILE_BYTES == 150 * 1024 * 1024
    assert "Files over 150 MB are refused" in (ROOT / "README.md").read_text()


@pytest.mark.parametrize("page_file", PAGES, ids=lambda p: p.name)
def test_every_page_is_described_in_the_readme(page_file):
    assert f"pages/{page_file.name}" in (ROOT / "README.md").read_text()


def test_readme_quick_start_is_exactly_the_two_make_commands():
    readme = (ROOT / "README.md").read_text()
    quick_start = readme.split("## Quick start", 1)[1].split("##", 1)[0]
    commands = [
        line.split("#")[0].strip()
        for line in quick_start.split("```bash", 1)[1].split("```", 1)[0].strip().splitlines()
    ]
    assert commands == ["make run", "make test"]
    assert "make test" in (ROOT / ".ci" / "run").read_text()


_DATE_READS = {"now", "today", "utcnow"}
_TIME_MODULE_READS = {"time", "time_ns", "localtime", "gmtime", "ctime"}


def _reads_the_system_clock(node: ast.AST) -> bool:
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
        return False
    receiver = node.func.value
    name = receiver.id if isinstance(receiver, ast.Name) else None
    if node.func.attr in _DATE_READS:
        return name != "clock"
    return name == "time" and node.func.attr in _TIME_MODULE_READS


def test_only_the_clock_reads_the_system_time():
    """One clock seam (alignment/shared/clock.py): tests and demos set it, so nothing may ask the
    system for the date or the time behind its back."""
    offenders = []
    for path in SOURCES:
        if path == ROOT / "alignment" / "shared" / "clock.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if _reads_the_system_clock(node):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == [], "ask alignment.shared.clock instead: " + ", ".join(offenders)


MESSAGES = {"error", "warning", "info", "success", "caption", "markdown", "write", "toast"}


def test_a_page_shows_an_error_s_text_only_escaped():
    """A refusal quotes what was typed or uploaded (a file name, a header, a KPI name);
    shown as ``st.error(str(exc))`` it runs as Markdown. Pages show it through
    ``ui.widgets.refusal`` or ``as_text``."""
    offenders = []
    for path in PAGES:
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in MESSAGES
                and node.args
                and isinstance(node.args[0], ast.Call)
                and isinstance(node.args[0].func, ast.Name)
                and node.args[0].func.id == "str"
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == [], "show it with ui.widgets.refusal: " + ", ".join(offenders)


def test_status_words_are_written_only_in_the_status_vocabulary():
    """Issue 16: "Within 10 %" beside "Within tolerance", "No data" beside "No data yet"."""
    words = ("Within tolerance", "Within 10 %", '"No data"', "No data yet", '"On target"')
    offenders = [
        f"{path.relative_to(ROOT)}: {word}"
        for path in SOURCES
        if path != ROOT / "alignment" / "shared" / "status.py"
        for word in words
        if word in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


def test_status_colours_are_written_only_in_the_status_vocabulary():
    """Issue 16: two ambers (#9a6700 and #bf8700) painted the same status; the status
    fills and the amber are written only in alignment/shared/status.py."""
    colours = ("#bf8700", "#9a6700", "#fff8c5", "#7d4e00", "#dafbe1", "#ffebe9")
    offenders = [
        f"{path.relative_to(ROOT)}: {colour}"
        for path in SOURCES
        if path != ROOT / "alignment" / "shared" / "status.py"
        for colour in colours
        if colour in path.read_text(encoding="utf-8").lower()
    ]
    assert offenders == []


WRITE_PATH_CALLS = {
    ".commit()": {"alignment/records/unit_of_work.py"},
    "audit.record(": {"alignment/records/unit_of_work.py"},
    "queue_writer(": {"alignment/records/unit_of_work.py", "db/audit_guard.py"},
    "bookkeeping(": {
        "alignment/records/unit_of_work.py",
        "alignment/access/accounts.py",
        "alignment/access/login_sessions.py",
    },
}


@pytest.mark.parametrize("call", sorted(WRITE_PATH_CALLS))
def test_only_the_unit_of_work_commits_and_records(call):
    """Every change goes through ``unit_of_work.writing``: nothing else commits, records an
    audit event or queues on the chain head, and only the log-in keeps bookkeeping rows."""
    users = {str(p.relative_to(ROOT)) for p in SOURCES if call in p.read_text()}
    assert users <= WRITE_PATH_CALLS[call], f"{call} outside the unit of work: {users}"


def _state_literals(tree: ast.AST) -> list[int]:
    """Lines comparing or setting a ``.state`` to a bare string instead of a state enum."""
    lines = []

    def bare(node: ast.AST) -> bool:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return True
        return isinstance(node, ast.Tuple | ast.List | ast.Set) and any(
            isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts
        )

    def is_state(node: ast.AST) -> bool:
        return isinstance(node, ast.Attribute) and node.attr == "state"

    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(is_state(s) for s in sides) and any(bare(s) for s in sides):
                lines.append(node.lineno)
        elif isinstance(node, ast.Assign):
            if any(is_state(t) for t in node.targets) and bare(node.value):
                lines.append(node.lineno)
        elif isinstance(node, ast.keyword) and node.arg == "state" and bare(node.value):
            lines.append(node.value.lineno)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "in_"
            and is_state(node.func.value)
            and any(bare(a) for a in node.args)
        ):
            lines.append(node.lineno)
    return lines


def test_no_state_is_a_bare_string():
    """States live in their enums (``definition_states``, ``request_log.RequestState``):
    a version's or request's state is compared and set through them, never spelt out."""
    offenders = [
        f"{p.relative_to(ROOT)}:{line}"
        for p in SOURCES
        if "migrations" not in p.parts
        for line in _state_literals(ast.parse(p.read_text()))
    ]
    assert offenders == []


def _write_use_cases() -> set[str]:
    """``alignment.module.function`` for every public function that opens a unit of work."""
    found = set()
    for path in sorted((ROOT / "alignment").rglob("*.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for node in ast.parse(path.read_text()).body:
            if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
                continue
            if any(
                isinstance(call, ast.Call)
                and isinstance(call.func, ast.Name)
                and call.func.id == "writing"
                for call in ast.walk(node)
            ):
                found.add(f"{module}.{node.name}")
    return found


def _is_user_action(test: ast.expr) -> bool:
    return any(
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Attribute)
        and call.func.attr in ("button", "form_submit_button")
        for call in ast.walk(test)
    )


def _write_calls(node: ast.AST, names: dict[str, str], writes: set[str]) -> list[str]:
    """The most write use cases one run through ``node`` calls: branches of an ``if`` (or
    the handlers of a ``try``) are alternatives, and a nested user action counts on its own."""
    if isinstance(node, ast.If) and _is_user_action(node.test):
        return []
    if isinstance(node, (ast.If, ast.IfExp)):
        test = _write_calls(node.test, names, writes)
        branches = (node.body, node.orelse)
        runs = [
            [
                c
                for part in (b if isinstance(b, list) else [b])
                for c in _write_calls(part, names, writes)
            ]
            for b in branches
        ]
        return test + max(runs, key=len)
    if isinstance(node, ast.Try):
        plain = [
            c
            for part in node.body + node.orelse + node.finalbody
            for c in _write_calls(part, names, writes)
        ]
        handled = [
            [c for part in h.body for c in _write_calls(part, names, writes)] for h in node.handlers
        ]
        return plain + max(handled, key=len, default=[])
    called = []
    if isinstance(node, ast.Call):
        target = node.func
        if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
            full = f"{names.get(target.value.id, target.value.id)}.{target.attr}"
        elif isinstance(target, ast.Name):
            full = names.get(target.id, target.id)
        else:
            full = ""
        if full in writes:
            called.append(full)
    for child in ast.iter_child_nodes(node):
        called += _write_calls(child, names, writes)
    return called


def _actions_with_several_writes(source: str) -> list[tuple[int, list[str]]]:
    tree = ast.parse(source)
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("alignment"):
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    writes = _write_use_cases()
    assert len(writes) > 40
    return [
        (node.lineno, calls)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and _is_user_action(node.test)
        for calls in [[c for part in node.body for c in _write_calls(part, names, writes)]]
        if len(calls) > 1
    ]


@pytest.mark.parametrize("page_file", PAGES, ids=lambda p: p.name)
def test_a_user_action_on_a_page_is_one_use_case(page_file):
    """Issue 16: a page that runs two writes for one click holds a sequence the CLI would
    need too; that sequence is one use case in alignment/, called by both."""
    assert _actions_with_several_writes(page_file.read_text()) == []


def test_two_writes_for_one_click_are_found_and_alternatives_are_not():
    source = """
from alignment.objectives import goals
from alignment.trust.maturity import add_competence
if st.button("Go"):
    if new:
        goals.create_goal(s, me, x)
    else:
        goals.update_goal(s, me, x)
if form.form_submit_button("Both"):
    goals.create_goal(s, me, x)
    act(lambda s: add_competence(s, me, y), "done")
"""
    assert _actions_with_several_writes(source) == [
        (9, ["alignment.objectives.goals.create_goal", "alignment.trust.maturity.add_competence"])
    ]


def _stray_strings(source: str) -> list[int]:
    """Lines of bare string statements that are not a module's, class's or function's
    docstring: Streamlit's magic writes them on the page."""
    tree = ast.parse(source)
    docstrings = {
        id(node.body[0])
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
    }
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
        and id(node) not in docstrings
    ]


@pytest.mark.parametrize("page_file", [*PAGES, ROOT / "app.py"], ids=lambda p: p.name)
def test_a_page_writes_no_stray_string(page_file):
    """A docstring under a constant of pages/overview.py appeared at the top of the overview
    for everyone: Streamlit writes every bare string of a page script on the page."""
    assert _stray_strings(page_file.read_text()) == []


def test_a_stray_string_is_found_and_docstrings_are_not():
    source = '''"""The page."""
TILES = [1]
"""Says what TILES is."""


def page():
    """Draws it."""
    "a note"
'''
    assert _stray_strings(source) == [3, 8]


def _is_fragment(decorator: ast.expr) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return isinstance(target, ast.Attribute) and target.attr == "fragment"


def _fragments_that_trust_an_old_actor(source: str) -> list[str]:
    """Fragments (parts of a page that rerun on their own) that take who is acting from
    the whole run instead of asking ``actor()`` on each of their reruns: a person logged
    out elsewhere, or switched off, could go on working in such a part."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef) or not any(map(_is_fragment, node.decorator_list)):
            continue
        takes_actor = any(arg.arg == "me" for arg in node.args.args + node.args.kwonlyargs)
        body = node.body[1:] if ast.get_docstring(node) is not None else node.body
        first = body[0] if body else None
        asks = (
            isinstance(first, ast.Assign)
            and isinstance(first.value, ast.Call)
            and isinstance(first.value.func, ast.Name)
            and first.value.func.id == "actor"
        )
        if takes_actor or not asks:
            found.append(node.name)
    return found


@pytest.mark.parametrize("page_file", PAGES, ids=lambda p: p.name)
def test_every_part_of_a_page_that_reruns_alone_asks_who_is_acting_first(page_file):
    assert _fragments_that_trust_an_old_actor(page_file.read_text()) == []


def test_a_fragment_that_takes_the_actor_from_the_whole_run_is_found():
    source = '''
@st.fragment
def good(period):
    """Reruns alone."""
    me = actor()


@st.fragment()
def takes(me, period):
    me = actor()


@st.fragment
def late(period):
    st.write(period)
    me = actor()


def plain(me):
    st.write(me)
'''
    assert _fragments_that_trust_an_old_actor(source) == ["takes", "late"]
