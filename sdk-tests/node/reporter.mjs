// node:test reporter for the conformance suite: one line per test, like the Python suite's
// runner, with secrets, card numbers and CVCs removed from every message.

const SECRETS = [process.env.OPENPSP_SECRET_API_KEY, process.env.OPENPSP_WEBHOOK_SECRET]
  .map(value => (value || "").trim())
  .filter(Boolean);

// node:test's skip reason for a test that --test-name-pattern leaves out.
const FILTERED_OUT = "test name does not match pattern";

export function redact(text) {
  let out = String(text);
  for (const secret of SECRETS) {
    out = out.split(secret).join("[secret]");
  }
  out = out.replace(/(?<!\d)\d{12,19}(?!\d)/g, "[digits]");
  out = out.replace(/("cvv"\s*:\s*")[^"]*/gi, "$1[cvv]");
  return out;
}

function summary(error) {
  // node:test wraps what the test threw in ERR_TEST_FAILURE; report the cause.
  const cause = error && error.code === "ERR_TEST_FAILURE" && error.cause ? error.cause : error;
  if (cause === undefined || cause === null) {
    return "";
  }
  const name = cause.name || (cause.constructor && cause.constructor.name) || "Error";
  const text = String(cause.message !== undefined ? cause.message : cause)
    .split(/\s+/)
    .filter(Boolean)
    .join(" ");
  return redact(`${name}: ${text}`.slice(0, 400));
}

function line(verdict, data, message) {
  const seconds = ((data.details && data.details.duration_ms) || 0) / 1000;
  let text = `${verdict.padEnd(5)} ${String(data.name).padEnd(48)} ${seconds.toFixed(2).padStart(6)}s`;
  if (message) {
    text += "  " + message;
  }
  return redact(text) + "\n";
}

export default async function* conformanceReporter(source) {
  let run = 0;
  let failed = 0;
  let skipped = 0;
  const details = [];
  for await (const event of source) {
    const data = event.data || {};
    if (event.type === "test:pass") {
      // Tests left out by the name filters are not reported.
      if (data.nesting > 0 || data.skip === FILTERED_OUT) continue;
      run += 1;
      if (data.skip !== undefined && data.skip !== false) {
        skipped += 1;
        yield line("SKIP", data, typeof data.skip === "string" ? data.skip : "");
      } else {
        yield line("PASS", data);
      }
    } else if (event.type === "test:fail") {
      if (data.nesting > 0) continue;
      run += 1;
      failed += 1;
      const error = data.details && data.details.error;
      yield line("FAIL", data, summary(error));
      details.push([data.name, error]);
    } else if (event.type === "test:stderr" || event.type === "test:stdout") {
      yield redact(data.message);
    }
  }
  if (process.env.OPENPSP_SDK_TESTS_VERBOSE && details.length) {
    for (const [name, error] of details) {
      const cause = error && error.cause ? error.cause : error;
      yield `---- ${name}\n${redact((cause && cause.stack) || String(cause))}\n`;
    }
  }
  yield `${run} run, ${failed} failed, ${skipped} skipped\n`;
}
