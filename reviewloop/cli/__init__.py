"""The command line: the click app (`app`), one module per command, and terminal rendering.

Each command module parses nothing itself: it takes frozen settings and arguments from
`app`, calls into the library (graph, review, spec, github), prints, and returns an exit
code. `crash` is the one top-level error handler; `ui` is the only module that draws.
"""
