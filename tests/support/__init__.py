"""The one home of what several test modules share: helpers, fixtures, fakes and paths.

No test module imports another test module; they import from here.
"""
