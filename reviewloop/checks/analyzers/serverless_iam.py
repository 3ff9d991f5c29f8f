"""A Serverless service's IAM statements in the form checkov checks, and what it checks of none.

checkov's Serverless checks (CKV_AWS_1, CKV_AWS_49) read a function's `iamRoleStatements`,
into which its parser copies the provider's `iamRoleStatements` (`ContextParser.
ENRICHED_ATTRIBUTES`): the form Serverless Framework v3 deprecates for
`provider.iam.role.statements`, which checkov does not read at all — plain `checkov -d .`
passes `Action: "*"` on `Resource: "*"` there. So a service holding
`provider.iam.role.statements` is given to checkov as a copy (`rekeyed`) where the `iam` key's
line says `iamRoleStatements: [the same statements]` and its other lines are blank: every
other line is where it is in the service, so a finding on a function is on the service's own
lines. A service with both forms is named (`unchecked`): checkov checks only the old one.
The managed policies a service attaches are read like any other key: checkov has no check of
them, as it has none of many keys, and a key no check reads is no file left unread.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reviewloop.checks.analyzers.serverless_files import KIND, view_links
from reviewloop.git.names import under

OLD = "iamRoleStatements"  # what checkov reads


def rekeyed(text: str) -> str | None:
    """`text` with `provider.iam.role.statements` as `provider.iamRoleStatements` on the
    `iam` key's line, the rest of the `iam` mapping's lines blank; None when it holds none,
    or the old form too (`unchecked` names that)."""
    import yaml

    provider = _provider(text)
    iam = _get(provider, "iam")
    statements = _get(_get(iam, "role"), "statements")
    if statements is None or _get(provider, OLD) is not None:
        return None
    key = next(k for k, v in provider.value if v is iam)
    _flow(statements)
    inline = yaml.serialize(statements, Dumper=yaml.SafeDumper, width=1 << 30,
                            allow_unicode=True).strip().removesuffix("...").strip()
    lines = text.splitlines(keepends=True)
    first, last = key.start_mark.line, _last_line(text, iam)
    start = key.start_mark.index - sum(len(line) for line in lines[:first])
    ending = "\r\n" if lines[first].endswith("\r\n") else "\n"
    lines[first] = f"{lines[first][:start]}{OLD}: {inline}{ending}"
    for at in range(first + 1, last + 1):
        lines[at] = "\r\n" if lines[at].endswith("\r\n") else "\n"
    return "".join(lines)


def unchecked(text: str) -> str | None:
    """What of the service `text`'s IAM checkov checks nothing of, as a reason (None: none)."""
    provider = _provider(text)
    role = _get(_get(provider, "iam"), "role")
    said = []
    if _get(role, "statements") is not None and (old := _get(provider, OLD)) is not None:
        said.append(f"it sets both `provider.{OLD}` and `provider.iam.role.statements`, and "
                    f"checkov checks only `provider.{OLD}` (line {old.start_mark.line + 1}): "
                    f"the other statements were not checked")
    return "; ".join(said) or None


def rekeyed_services(given: dict[str, str], links: dict[str, str], targets: dict[str, str],
                     at: Path, view: Path) -> tuple[dict[str, str], dict[str, str]]:
    """`given` and `links` (the staged run's) with each service among `targets` that
    `rekeyed` rewrites given as its copy, at its tree path under `view` beside the files
    its `${file(…)}` references read (`serverless_files.view_links`)."""
    given, links = dict(given), dict(links)
    for path in (p for p, kind in targets.items() if kind == KIND):
        source = under(at, path)
        try:
            copy = rekeyed(source.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            copy = None
        if copy is None:
            continue
        links |= view_links({path: KIND}, at, view)
        made = under(view, path)
        if made.is_symlink() or made.exists():
            made.unlink()
        made.parent.mkdir(parents=True, exist_ok=True)
        made.write_text(copy, encoding="utf-8")
        given.pop(path, None)
        given[str(made)], links[str(made)] = KIND, str(source)
    return given, links


def _provider(text: str) -> Any:
    """The `provider` mapping node of the service `text` (None: none, or no YAML)."""
    import yaml

    if "provider" not in text:
        return None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except (yaml.YAMLError, RecursionError, ValueError):
        return None  # checkov's parse error, named as such
    return _get(root, "provider")


def _get(node: Any, name: str) -> Any:
    """The value node of the key `name` in the mapping node `node` (None: none)."""
    import yaml

    if not isinstance(node, yaml.MappingNode):
        return None
    return next((value for key, value in node.value
                 if isinstance(key, yaml.ScalarNode) and key.value == name), None)


def _flow(node: Any) -> None:
    """Every collection under `node` in flow style, a block scalar double-quoted: one line."""
    import yaml

    if isinstance(node, yaml.ScalarNode):
        node.style = '"' if node.style in ("|", ">") else node.style
        return
    node.flow_style = True
    for child in node.value:
        for each in child if isinstance(child, tuple) else (child,):
            _flow(each)


def _last_line(text: str, node: Any) -> int:
    """The last line (0-based) of `node`'s value: its end mark's, unless only indentation
    comes before that mark on its line (the next key's)."""
    end = node.end_mark
    start_of_line = text.rfind("\n", 0, end.index) + 1
    return end.line - 1 if not text[start_of_line:end.index].strip() else end.line
