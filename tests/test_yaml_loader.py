"""The YAML loader under the deployment model: positions, anchors, bounds."""

from __future__ import annotations

import time

import pytest

from factorscan.deploy.yaml_loader import MAX_NODES, YamlError, load_documents, read_yaml


def test_positions_multi_documents_flow_and_block_scalars() -> None:
    text = (
        "apiVersion: v1\n"
        "kind: ConfigMap\n"
        "data: {LOG_LEVEL: info, 'QUOTED': \"3\"}\n"
        "---\n"
        "# a comment\n"
        "script: |\n"
        "  echo one\n"
        "  echo two\n"
        "ports: [8080, 9090]\n"
    )
    first, second = load_documents(text)
    data = first.get("data")
    assert data is not None
    assert data.mapping["LOG_LEVEL"].text == "info"
    assert (data.mapping["LOG_LEVEL"].row, data.mapping["LOG_LEVEL"].column) == (3, 19)
    assert data.mapping["QUOTED"].quoted
    assert not data.mapping["LOG_LEVEL"].quoted
    script = second.get("script")
    assert script is not None
    assert script.text == "echo one\necho two\n"
    assert (script.key_row, script.row) == (6, 7)
    ports = second.get("ports")
    assert ports is not None
    assert [port.text for port in ports.items] == ["8080", "9090"]


def test_anchors_aliases_and_merge_keys() -> None:
    text = (
        "base: &base\n"
        "  image: web:1.2\n"
        "  env: &env [A, B]\n"
        "web:\n"
        "  <<: *base\n"
        "  image: web:1.3\n"
        "  more: *env\n"
    )
    root = read_yaml(text)
    assert root is not None
    web = root.get("web")
    assert web is not None
    assert web.mapping["image"].text == "web:1.3"  # the mapping's own key wins over the merged one
    assert web.mapping["env"].items[1].text == "B"
    assert [item.text for item in web.mapping["more"].items] == ["A", "B"]


def test_null_and_empty_values() -> None:
    root = read_yaml("a:\nb: ~\nc: ''\n")
    assert root is not None
    assert [root.mapping[key].null for key in "abc"] == [True, True, False]


def test_a_billion_laughs_is_stopped_quickly() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for index in range(1, 10):
        name, previous = chr(97 + index), chr(96 + index)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    started = time.perf_counter()
    with pytest.raises(YamlError, match=f"more than {MAX_NODES} nodes"):
        load_documents("\n".join(lines) + "\n")
    # A bound against a hang, not a speed measure: expanded, the document has 9**10 nodes.
    assert time.perf_counter() - started < 30


def test_a_recursive_alias_is_stopped() -> None:
    with pytest.raises(YamlError):
        load_documents("a: &a [*a, *a]\n")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("key: [unclosed\n", "invalid YAML, line 2"),
        ("a: b: c\n", "invalid YAML, line 1"),
        ("[" * 2000 + "]" * 2000, "invalid YAML"),
        ("é: \x00\n", "invalid YAML"),
        ("x: !!python/object/apply:os.system ['true']\n", None),
    ],
)
def test_bad_yaml_is_one_line_or_harmless(text: str, message: str | None) -> None:
    if message is None:
        # Only composed, never constructed: the tag is kept as text and nothing runs.
        root = read_yaml(text)
        assert root is not None
        assert root.get("x") is not None
        return
    with pytest.raises(YamlError, match=message) as caught:
        load_documents(text)
    assert "\n" not in str(caught.value)
