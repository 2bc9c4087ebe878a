'use strict';
/**
 * Figures of a schemathesis 4 JSON run report (`--report json`), for scripts/run-fuzz.js.
 * @param {object} report the parsed report
 * @returns {{operations: number, examples: number, failures: number, serverErrors: number, byCode: Record<string, number>}}
 *   operations tested, test cases generated, unique failures, and those that were 5xx (ST101
 *   `ServerError`, schemathesis's `not_a_server_error` check)
 */
function summarize(report) {
  const failures = Array.isArray(report.failures) ? report.failures : [];
  const byCode = {};
  for (const f of failures) byCode[`${f.code} ${f.title}`] = (byCode[`${f.code} ${f.title}`] || 0) + (f.count || 0);
  return {
    operations: report.operations?.tested ?? 0,
    examples: report.test_cases?.generated ?? 0,
    failures:
      failures.reduce((n, f) => n + (f.count || 0), 0) + (Array.isArray(report.errors) ? report.errors.length : 0),
    serverErrors: failures
      .filter((f) => f.type === 'ServerError' || f.code === 'ST101')
      .reduce((n, f) => n + (f.count || 0), 0),
    byCode,
  };
}

module.exports = { summarize };
