"""One self-contained HTML page (pure): the shell, its style, and escaping.

The page loads nothing: no script, no font, no image from anywhere, and its Content Security
Policy forbids them all, so a page mailed around or opened from a CI artifact shows the same
and reaches no network. Every text from a run — titles, rationales, code, file names, reasons,
a model's words — goes through `esc`, and attributes only ever hold numbers reviewloop
computed or escaped text. `page` is the shell any report uses (`reports.html_run` for a
run; a benchmark's table can be another body in the same shell, linking to runs' pages).
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from reviewloop import __version__
from reviewloop.git.names import printable

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; " \
      "form-action 'none'"

STYLE = """
:root{--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--bg:#fff;--soft:#f6f8fa;
--red:#cf222e;--yellow:#9a6700;--green:#1a7f37;--blue:#0969da;--grey:#818b98}
*{box-sizing:border-box}
body{font:14px/1.45 -apple-system,BlinkMacSystemFont,"Segoe UI",Helvetica,Arial,sans-serif;
color:var(--fg);background:var(--bg);margin:0 auto;max-width:1200px;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;border-bottom:1px solid var(--line);
padding-bottom:4px;margin-top:28px}h3{font-size:15px;margin:0 0 4px}
code,pre{font:12px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.muted{color:var(--muted)}.small{font-size:12px}
.verdict{padding:12px 16px;border-radius:6px;border:1px solid var(--line);margin:12px 0}
.verdict.clean{border-color:var(--green);background:#dafbe1}
.verdict.not-clean{border-color:var(--red);background:#ffebe9}
.verdict strong{font-size:16px}
.facts{display:flex;flex-wrap:wrap;gap:8px 20px;margin:8px 0}
table{border-collapse:collapse;width:100%;margin:8px 0}
th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:var(--soft)}
.badge{display:inline-block;padding:0 6px;border-radius:10px;font-size:12px;
border:1px solid var(--line);background:var(--soft)}
.st-open,.st-failed,.st-escalated,.st-unfinished,.st-missing{color:var(--red);
border-color:var(--red)}
.st-fixed,.st-passed,.st-ok{color:var(--green);border-color:var(--green)}
.st-suppressed,.st-out_of_scope,.st-skipped,.st-unchanged,.st-not_started{color:var(--grey)}
.tl{border:1px solid var(--line);border-radius:6px}
.tl-row{display:grid;grid-template-columns:230px 1fr 250px;gap:8px;align-items:center;
padding:2px 8px;border-top:1px solid var(--soft)}
.tl-head{background:var(--soft);font-weight:600;border-top:1px solid var(--line)}
.tl-label{white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.tl-track{position:relative;height:14px;background:var(--soft);border-radius:3px}
.tl-bar{position:absolute;top:0;height:14px;min-width:3px;border-radius:3px;
background:var(--blue)}
.tl-bar.k-gate{background:#8250df}.tl-bar.k-fix,.tl-bar.k-fix_group{background:#bf8700}
.tl-bar.k-implement{background:#1a7f37}.tl-bar.bad{background:var(--red)}
.tl-bar.k-prepare,.tl-bar.k-triage,.tl-bar.k-snapshot,.tl-bar.k-present,.tl-bar.k-escalate,
.tl-bar.k-commit,.tl-bar.k-land{background:var(--grey)}
.tl-meta{font-size:12px;color:var(--muted);white-space:nowrap}
details.file{border:1px solid var(--line);border-radius:6px;margin:10px 0;padding:0 12px}
details.file>summary{cursor:pointer;padding:8px 0;font-weight:600}
.finding{border-top:1px solid var(--line);padding:10px 0}
.sev-must_fix .sev{color:var(--red)}.sev-should_fix .sev{color:var(--yellow)}
.sev-nit .sev{color:var(--green)}
pre.code{background:var(--soft);border:1px solid var(--line);border-radius:6px;padding:6px 0;
overflow-x:auto;margin:6px 0}
pre.code span{display:block;padding:0 8px;white-space:pre}
pre.code .add{background:#e6ffec}pre.code .flag{background:#fff8c5;
box-shadow:inset 3px 0 var(--yellow)}
pre.code i{display:inline-block;width:44px;color:var(--grey);font-style:normal;
text-align:right;margin-right:10px;user-select:none}
ol.history{margin:4px 0;padding-left:22px;font-size:12px}
.read{color:var(--green)}.gap{color:var(--red)}.na{color:var(--grey)}
footer{margin-top:32px;color:var(--muted);font-size:12px}
"""


def esc(text: object) -> str:
    """Text for HTML content or a quoted attribute: `<`, `>`, `&` and both quotes escaped,
    and every control or bidi character shown as Markdown shows it (`git.names.printable`:
    `\\x1b`, `\\u202e`), tabs and line feeds kept: no ESC, BEL or right-to-left override
    reaches the page, which would show code in an order that is not the one that runs."""
    return html.escape(printable(str(text), keep="\t\n"), quote=True)


def page(title: str, body: Iterable[str]) -> str:
    """A whole document: `title` (escaped here) and the `body` parts (already HTML)."""
    return "\n".join([
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{esc(CSP)}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="referrer" content="no-referrer">',
        f"<title>{esc(title)}</title>", f"<style>{STYLE}</style>", "</head>", "<body>",
        *body,
        f"<footer>Written by reviewloop {esc(__version__)}. This file loads nothing from "
        "anywhere.</footer>", "</body>", "</html>", ""])


def badge(status: str, text: str | None = None) -> str:
    """A status as a coloured label (the class holds only the status's own word)."""
    word = "".join(c for c in status if c.isalnum() or c == "_")
    return f'<span class="badge st-{word}">{esc(text or status.replace("_", " "))}</span>'


def table(headers: Iterable[str], rows: Iterable[Iterable[str]]) -> str:
    """A table of already-escaped cells (`esc` each text before)."""
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
