"""parse_counts on what each supported runner really prints."""

from __future__ import annotations

import pytest

from reviewloop.checks.gates.counts import TestCounts, parse_counts

PYTEST_QUIET_FAILING = """\
..F.sE                                                                   [100%]
==================================== ERRORS ====================================
___________________________ ERROR at setup of test_e ___________________________

    @pytest.fixture
    def boom(): raise RuntimeError("x")
E   RuntimeError: x

test_x.py:8: RuntimeError
=================================== FAILURES ===================================
____________________________________ test_b ____________________________________

>   def test_b(): assert 1 == 2
E   assert 1 == 2

test_x.py:3: AssertionError
=========================== short test summary info ============================
FAILED test_x.py::test_b - assert 1 == 2
ERROR test_x.py::test_e - RuntimeError: x
1 failed, 2 passed, 1 skipped, 1 error in 0.59s
"""

PYTEST_VERBOSE_PASSING = """\
============================= test session starts ==============================
platform linux -- Python 3.11.7, pytest-9.2.0, pluggy-1.7.0
rootdir: /tmp/project
configfile: pyproject.toml
collected 3 items

tests/test_app.py ...                                                    [100%]

============================== 3 passed in 0.04s ===============================
"""

PYTEST_WARNINGS_XFAIL = """\
tests/test_app.py ..x.X                                                  [100%]

=============================== warnings summary ===============================
tests/test_app.py::test_old
  DeprecationWarning: use new_api()

-- Docs: https://docs.pytest.org/en/stable/how-to/capture-warnings.html
============= 3 passed, 1 xfailed, 1 xpassed, 1 warning in 1.23s ==============
"""

PYTEST_NO_TESTS = """\
============================= test session starts ==============================
platform linux -- Python 3.11.7, pytest-9.2.0, pluggy-1.7.0
rootdir: /tmp/ptsample/e
collected 0 items

============================ no tests ran in 0.59s =============================
"""

PYTEST_COLLECTION_ERROR = """\
==================================== ERRORS ====================================
______________________ ERROR collecting tests/test_app.py ______________________
ImportError while importing test module '/tmp/project/tests/test_app.py'.
E   ModuleNotFoundError: No module named 'app'
=========================== short test summary info ============================
ERROR tests/test_app.py
!!!!!!!!!!!!!!!!!!!! Interrupted: 1 error during collection !!!!!!!!!!!!!!!!!!!!!
1 error in 0.11s
"""

PYTEST_LONG_RUN = "========== 1520 passed, 12 skipped in 312.55s (0:05:12) ==========\n"

JEST_FAILING = """\
 FAIL  src/sum.test.js
  ● sum › adds negative numbers

    expect(received).toBe(expected) // Object.is equality

    Expected: -3
    Received: -1

      at Object.toBe (src/sum.test.js:9:24)

 PASS  src/app.test.js

Test Suites: 1 failed, 1 passed, 2 total
Tests:       1 failed, 4 passed, 5 total
Snapshots:   0 total
Time:        1.284 s
Ran all test suites.
"""

JEST_SKIPPED = """\
 PASS  src/app.test.js
Test Suites: 1 passed, 1 total
Tests:       2 skipped, 1 todo, 6 passed, 9 total
Snapshots:   0 total
Time:        0.412 s, estimated 1 s
"""

VITEST_PASSING = """\

 RUN  v1.6.0 /home/dev/project

 ✓ src/math.test.ts (4)

 Test Files  1 passed (1)
      Tests  4 passed (4)
   Start at  10:15:32
   Duration  312ms (transform 21ms, setup 0ms, collect 18ms, tests 3ms)

"""

VITEST_FAILING = """\
 ❯ src/math.test.ts (4)
   ❯ math (4)
     ✓ adds
     × subtracts
 Test Files  1 failed (1)
      Tests  1 failed | 3 passed (4)
   Start at  10:16:02
   Duration  298ms
"""

MOCHA_FAILING = """\


  Array
    #indexOf()
      ✔ should return -1 when the value is not present
      ✔ should return the index
      1) should fail on purpose
  String
    ✔ trims
    - pending thing


  3 passing (12ms)
  1 pending
  1 failing

  1) Array
       #indexOf()
         should fail on purpose:
     AssertionError [ERR_ASSERTION]: 1 == 2
      at Context.<anonymous> (test/array.js:12:14)

"""

MOCHA_PASSING = """\
  calc
    ✓ adds (2ms)

  4 passing (8ms)

"""

GO_VERBOSE = """\
=== RUN   TestAdd
--- PASS: TestAdd (0.00s)
=== RUN   TestSub
    calc_test.go:14: got 1, want 2
--- FAIL: TestSub (0.00s)
=== RUN   TestTable
=== RUN   TestTable/zero
=== RUN   TestTable/one
--- PASS: TestTable (0.00s)
    --- PASS: TestTable/zero (0.00s)
    --- PASS: TestTable/one (0.00s)
FAIL
FAIL\texample.com/calc\t0.004s
ok  \texample.com/calc/util\t0.002s
FAIL
"""

GO_PACKAGES = """\
ok  \texample.com/shop/cart\t0.012s
ok  \texample.com/shop/pricing\t(cached)
?   \texample.com/shop/cmd/shop\t[no test files]
--- FAIL: TestCheckout (0.00s)
    checkout_test.go:22: total = 10, want 12
FAIL
FAIL\texample.com/shop/checkout\t0.005s
FAIL\texample.com/shop/broken [build failed]
FAIL
"""

CARGO_MULTIPLE = """\
   Compiling csample v0.1.0 (/tmp/csample)
    Finished `test` profile [unoptimized + debuginfo] target(s) in 0.52s
     Running unittests src/lib.rs (target/debug/deps/csample-1f0c2b9ad0e4c0d5)

running 3 tests
test more::ok2 ... ok
test tests::it_works ... ok
test more::other ... ok

test result: ok. 3 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s

     Running tests/it.rs (target/debug/deps/it-8d0b5c2e0c7a1f44)

running 1 test
test integ ... ok

test result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s

   Doc-tests csample

running 0 tests

test result: ok. 0 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s

"""

CARGO_FAILING = """\
running 3 tests
test more::ok2 ... ok
test tests::it_works ... ok
test more::fails ... FAILED

failures:

---- more::fails stdout ----

thread 'more::fails' (14441) panicked at src/lib.rs:19:18:
assertion `left == right` failed
  left: 1
 right: 2

failures:
    more::fails

test result: FAILED. 2 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.07s

error: test failed, to rerun pass `--lib`
"""

UNITTEST_OK = """\
.....
----------------------------------------------------------------------
Ran 5 tests in 0.001s

OK
"""

UNITTEST_MIXED = """\
.F.sEx
======================================================================
ERROR: test_load (test_store.StoreTest.test_load)
----------------------------------------------------------------------
Traceback (most recent call last):
  File "/tmp/project/test_store.py", line 12, in test_load
    raise OSError("disk")
OSError: disk

======================================================================
FAIL: test_save (test_store.StoreTest.test_save)
----------------------------------------------------------------------
AssertionError: 1 != 2

----------------------------------------------------------------------
Ran 6 tests in 0.004s

FAILED (failures=1, errors=1, skipped=1, expected failures=1)
"""


@pytest.mark.parametrize(("output", "expected"), [
    (PYTEST_QUIET_FAILING, TestCounts(2, 2, "pytest")),
    (PYTEST_VERBOSE_PASSING, TestCounts(3, 0, "pytest")),
    (PYTEST_WARNINGS_XFAIL, TestCounts(4, 0, "pytest")),
    (PYTEST_NO_TESTS, TestCounts(0, 0, "pytest")),
    (PYTEST_COLLECTION_ERROR, TestCounts(0, 1, "pytest")),
    (PYTEST_LONG_RUN, TestCounts(1520, 0, "pytest")),
    (JEST_FAILING, TestCounts(4, 1, "jest", 1)),
    (JEST_SKIPPED, TestCounts(6, 0, "jest")),
    (VITEST_PASSING, TestCounts(4, 0, "vitest")),
    (VITEST_FAILING, TestCounts(3, 1, "vitest", 1)),
    (MOCHA_FAILING, TestCounts(3, 1, "mocha")),
    (MOCHA_PASSING, TestCounts(4, 0, "mocha")),
    (GO_VERBOSE, TestCounts(4, 1, "go")),  # subtests count too
    (GO_PACKAGES, TestCounts(2, 2, "go")),
    (CARGO_MULTIPLE, TestCounts(4, 0, "cargo")),
    (CARGO_FAILING, TestCounts(2, 1, "cargo")),
    (UNITTEST_OK, TestCounts(5, 0, "unittest")),
    (UNITTEST_MIXED, TestCounts(2, 2, "unittest")),
], ids=["pytest-q-failing", "pytest-passing", "pytest-xfail-warnings", "pytest-no-tests",
        "pytest-collection-error", "pytest-long", "jest-failing", "jest-skipped",
        "vitest-passing", "vitest-failing", "mocha-failing", "mocha-passing", "go-verbose",
        "go-packages", "cargo-multiple", "cargo-failing", "unittest-ok", "unittest-mixed"])
def test_parses_each_runner(output, expected):
    assert parse_counts(output) == expected


def test_colour_codes_are_ignored():
    coloured = "\x1b[32m\x1b[1m5 passed\x1b[0m\x1b[32m in 0.12s\x1b[0m\n"
    assert parse_counts(coloured) == TestCounts(5, 0, "pytest")


def test_windows_line_endings():
    assert parse_counts(UNITTEST_OK.replace("\n", "\r\n")) == TestCounts(5, 0, "unittest")


def test_unittest_skipped_only():
    text = "ss.\n" + "-" * 70 + "\nRan 3 tests in 0.000s\n\nOK (skipped=2)\n"
    assert parse_counts(text) == TestCounts(1, 0, "unittest")


def test_unittest_without_verdict_is_unknown():
    assert parse_counts("Ran 3 tests in 0.000s\n") is None


@pytest.mark.parametrize("output", [
    "",
    "make: *** No rule to make target 'test'.  Stop.\n",
    "npm ERR! Missing script: \"test\"\n",
    "Compiling...\nbuild succeeded in 3.2s\n",
    "error[E0425]: cannot find value `x` in this scope\n",
])
def test_output_without_a_summary_gives_none(output):
    assert parse_counts(output) is None


def test_last_pytest_summary_wins():
    text = "1 failed in 0.10s\n...\n3 passed in 0.20s\n"
    assert parse_counts(text) == TestCounts(3, 0, "pytest")


def test_counts_add_up():
    assert TestCounts(2, 1, "pytest") + TestCounts(3, 0, "pytest") == TestCounts(5, 1, "pytest")
    assert TestCounts(2, 1, "pytest") + TestCounts(3, 0, "jest", 2) == \
        TestCounts(5, 1, "pytest+jest", 2)
