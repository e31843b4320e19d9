"""The suites' one-line-per-test report (Python SDK and payment links suites); each
suite passes its own `redact`, which knows its secrets."""

import time
import unittest


class LineResult(unittest.TestResult):
    """One line per test; messages go through `redact`."""

    def __init__(self, redact, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.redact = redact
        self.started = {}
        self.details = []

    @staticmethod
    def _name(test):
        return getattr(test, "_testMethodName", None) or str(test)

    def _line(self, verdict, test, message=""):
        elapsed = time.monotonic() - self.started.get(id(test), time.monotonic())
        text = "%-5s %-48s %6.2fs" % (verdict, self._name(test), elapsed)
        if message:
            text += "  " + message
        print(self.redact(text), flush=True)

    def _summary(self, err):
        kind, value, _ = err
        message = " ".join(str(value).split()) if str(value) else ""
        return self.redact(("%s: %s" % (kind.__name__, message))[:400])

    def startTest(self, test):
        super().startTest(test)
        self.started[id(test)] = time.monotonic()

    def addSuccess(self, test):
        super().addSuccess(test)
        self._line("PASS", test)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._line("FAIL", test, self._summary(err))
        self.details.append((self._name(test), err))

    def addError(self, test, err):
        super().addError(test, err)
        self._line("ERROR", test, self._summary(err))
        self.details.append((self._name(test), err))

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._line("SKIP", test, reason)
