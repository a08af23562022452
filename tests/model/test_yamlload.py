"""YAML loading: key lines, duplicate keys, YAML 1.2 booleans, errors on file lines."""

from __future__ import annotations

import datetime as dt

import pytest

from kbtool.model.yamlload import YamlError, load_yaml


def test_key_lines_by_path() -> None:
    doc = load_yaml("people:\n  jdoe:\n    name: J\n    email: j@x\nteams: {}\n")
    assert doc.lines[("people",)] == 1
    assert doc.lines[("people", "jdoe", "email")] == 4
    assert doc.lines[("teams",)] == 5


def test_first_line_offsets_every_line() -> None:
    doc = load_yaml("a: 1\nb: 2\n", first_line=2)
    assert doc.lines == {("a",): 2, ("b",): 3}
    with pytest.raises(YamlError) as info:
        load_yaml("a: 1\na: 2\n", first_line=2)
    assert info.value.line == 3
    assert info.value.message == "duplicate key 'a' (first defined on line 2)"


def test_max_depth_limits_the_walk() -> None:
    doc = load_yaml("a:\n  b: 1\n", max_depth=1)
    assert ("a", "b") not in doc.lines and doc.lines[("a",)] == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("v: no", "no"),
        ("v: on", "on"),
        ("v: off", "off"),
        ("v: yes", "yes"),
        ("v: Y", "Y"),
        ("v: true", True),
        ("v: False", False),
        ("v: 180", 180),
        ("v: '180'", "180"),
        ("v: 2026-10-01", dt.date(2026, 10, 1)),
        ("v: 2026-02-30", "2026-02-30"),  # impossible date stays text for the field check
        ("v: 0x8004010F", 0x8004010F),
        ("v: ~", None),
        ("v: [a, on]", ["a", "on"]),
    ],
)
def test_scalar_values(text: str, expected: object) -> None:
    assert load_yaml(text).value == {"v": expected}


def test_merge_keys_are_not_duplicates() -> None:
    doc = load_yaml("base: &b {x: 1}\nitem:\n  <<: *b\n  <<: *b\n  y: 2\n")
    assert doc.value["item"] == {"x": 1, "y": 2}


@pytest.mark.parametrize(
    ("text", "line", "col", "fragment"),
    [
        pytest.param("a: 1\nb: [1, 2\nc: 3\n", 2, 4, "stopped on line 3", id="unclosed-flow"),
        pytest.param("a: 1\n\tb: 2\n", 2, 1, "tabs for indentation", id="tab-indent"),
        pytest.param("a:\n  b: 1\n\t c: 2\n", 3, 1, "tabs", id="tab-after-spaces"),
        pytest.param("title: Error: 0x80\n", 1, 13, "quote a value", id="colon"),
        pytest.param("a: 'open\n", 1, 4, "stopped on line 2", id="unclosed-quote"),
        # The mistake on line 3, the parser stops at the end of the front matter (line 14).
        pytest.param(
            'id: KB-1\ntitle: x\nsummary: "Outlook hangs\n'
            + "".join(f"k{n}: v\n" for n in range(10))
            + "owner: jdoe\n",
            3,
            10,
            "stopped on line 15",
            id="unclosed-quote-far-above",
        ),
        pytest.param("a: 1\na: 2\n", 2, 1, "first defined on line 1", id="duplicate"),
        pytest.param("a: 1\nb: x\x07y\n", 2, 5, "U+0007", id="control"),
        pytest.param("a: 1\n--- \nb: 2\n", 2, 1, "single document", id="two-documents"),
    ],
)
def test_errors_name_line_and_column(text: str, line: int, col: int, fragment: str) -> None:
    with pytest.raises(YamlError) as info:
        load_yaml(text)
    error = info.value
    assert (error.line, error.col) == (line, col), error
    assert fragment in error.message
    assert "\n" not in error.message  # findings are one line each


def test_flags_on_errors() -> None:
    with pytest.raises(YamlError) as dup:
        load_yaml("a: 1\na: 2\n")
    assert dup.value.duplicate_key and not dup.value.control_character
    with pytest.raises(YamlError) as ctrl:
        load_yaml("a: \x1b\n")
    assert ctrl.value.control_character and not ctrl.value.duplicate_key


def test_aliases_and_anchors_resolve() -> None:
    doc = load_yaml("owner: &o jdoe\nbackup: *o\n")
    assert doc.value == {"owner": "jdoe", "backup": "jdoe"}


def test_alias_bomb_is_bounded() -> None:
    # A "billion laughs" document must not hang or crash: PyYAML shares the aliased objects.
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev = chr(ord("a") + i - 1)
        name = chr(ord("a") + i)
        lines.append(f"{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}]")
    doc = load_yaml("\n".join(lines))
    assert set(doc.value) == set("abcdefghi")


def test_empty_document() -> None:
    assert load_yaml("").value is None
    assert load_yaml("# only a comment\n").value is None


def test_unhashable_key_is_an_error_not_a_crash() -> None:
    with pytest.raises(YamlError, match="invalid"):
        load_yaml("? [a, b]\n: 1\n")


# --- the fast path for flat front matter agrees with libyaml, or steps aside -----------------

FAST_PATH_CASES = [
    "id: KB-0001\ntitle: Outlook is stuck\ntags: [outlook, profile]\nreviewed: 2026-10-01\n",
    "title: C# basics",
    "title: a #comment",
    "title: a # comment",
    "x: 'it''s'",
    'x: "a\\"b"',
    "x: [a, 'b,c']",
    'x: [a, "b"]',
    "x: -1",
    "x: - a",
    "x: 2026-02-30",
    "x: 2026-10-01 10:00:00",
    "x: 0x1F",
    "x: .5",
    "x: 1_000",
    "x: +1",
    "x: 1e3",
    "x: .inf",
    "x: -.inf",
    "x: yes",
    "x: on",
    "x: ~",
    "x:",
    "x: null",
    "true: 1",
    "null: x",
    "1: x",
    "x: [ ]",
    "x: []",
    "x: [a,]",
    "x: [a, [b]]",
    "x: {a: 1}",
    "x: &a b",
    "x: *a",
    "x: !!str 3",
    "x: |\n  block",
    "x: >\n  folded",
    "x: a\n  continued",
    "x:\n  - a",
    "x: http://e.com/a?b=c#d",
    "x: a: b",
    "x: a:",
    "# comment\nx: 1",
    "x: 1 # comment",
    "x: a\u2028b",
    "x:\ty",
    "x: \ty",
    "ms.date: 12/17/2023",
    "x: 'a\"b'",
    'x: "it\'s"',
    "x: ''",
    'x: ""',
    'x: [""]',
    "x: 12:30",
    "x: 1\nx: 2",
    "x: 1\nx: 2\ny: [",
    "a.b-c_d: 1",
    "  x: 1",
    "x : 1",
    "x: a\n\ny: b\n",
    "x: é ü 中文 🙂",
    "x: <script>alert(1)</script>",
    "x: `code`",
    "x: %x",
    "x: @x",
    "x: ?x",
    "x: [?x]",
]


def _full(text: str) -> object:
    from kbtool.model import yamlload

    saved = yamlload._simple_mapping
    yamlload._simple_mapping = lambda text, offset: None  # type: ignore[assignment]
    try:
        try:
            doc = load_yaml(text, max_depth=1, first_line=2)
            return (doc.value, doc.lines)
        except YamlError as exc:
            return ("error", exc.message, exc.line, exc.duplicate_key)
    finally:
        yamlload._simple_mapping = saved


@pytest.mark.parametrize("text", FAST_PATH_CASES)
def test_fast_path_agrees_with_libyaml_or_steps_aside(text: str) -> None:
    from kbtool.model.yamlload import _simple_mapping

    try:
        fast = _simple_mapping(text, 1)
    except YamlError as exc:
        assert _full(text) == ("error", exc.message, exc.line, exc.duplicate_key)
        return
    if fast is not None:
        assert (fast.value, fast.lines) == _full(text)


def test_fast_path_takes_ordinary_front_matter() -> None:
    from kbtool.model.yamlload import _simple_mapping

    doc = _simple_mapping(FAST_PATH_CASES[0], 1)
    assert doc is not None and doc.value["tags"] == ["outlook", "profile"]
    assert doc.lines[("reviewed",)] == 5
