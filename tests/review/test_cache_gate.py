"""reviewloop.review.cache_gate: a request's cached parts, each written by the first request
that claims its gate and read by the others once its writer opens it."""

from __future__ import annotations

import threading

from reviewloop.review.cache_gate import CacheGates, pass_gates


def test_each_part_is_written_by_the_first_request_that_holds_it() -> None:
    gates = CacheGates()
    prefix, docs, other = gates.gate("prefix"), gates.gate(("prefix", "docs")), gates.gate("x")
    assert gates.gate("prefix") is prefix  # one gate per part

    first = pass_gates([prefix, docs], timeout_s=None)
    assert first == [prefix, docs]  # the first request writes the prefix and its docs
    for gate in first:
        gate.open()  # at its first streamed event
    # a later request with the same parts reads both; one with a new part writes that alone
    assert pass_gates([prefix, docs], timeout_s=None) == []
    assert pass_gates([prefix, other], timeout_s=None) == [other]


def test_a_reader_waits_for_the_part_being_written_then_goes_on() -> None:
    gates = CacheGates()
    prefix, docs = gates.gate("prefix"), gates.gate("docs")
    assert pass_gates([prefix], timeout_s=None) == [prefix]  # another request writes it
    claimed: list[list] = []
    reader = threading.Thread(target=lambda: claimed.append(pass_gates([prefix, docs], None)))
    reader.start()
    reader.join(timeout=0.05)
    assert reader.is_alive() and not claimed  # held until the prefix is readable
    prefix.open()
    reader.join()
    assert claimed == [[docs]]  # then it writes the part no one has written
