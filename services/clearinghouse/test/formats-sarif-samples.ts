/**
 * SARIF 2.1.0 logs shaped as real scanners write them (the conformance data has only the schema):
 * CodeQL (rules with CWE tags, `partialFingerprints`, artifact indexes, code flows) and Semgrep
 * (full `fingerprints`), and one of a hand-rolled scanner with message templates and no location.
 */
import type { Json } from './formats-fixtures';

export function codeqlLog(): Json {
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'CodeQL',
            organization: 'GitHub',
            semanticVersion: '2.16.1',
            rules: [
              {
                id: 'js/sql-injection',
                name: 'js/sql-injection',
                shortDescription: { text: 'Database query built from user-controlled sources' },
                fullDescription: { text: 'Building a database query from user-controlled sources is vulnerable to insertion of malicious code by the user.' },
                defaultConfiguration: { enabled: true, level: 'error' },
                helpUri: 'https://codeql.github.com/codeql-query-help/javascript/js-sql-injection/',
                properties: { tags: ['security', 'external/cwe/cwe-089', 'external/cwe/cwe-090'], precision: 'high', 'security-severity': '8.8' },
              },
              {
                id: 'js/reflected-xss',
                name: 'js/reflected-xss',
                shortDescription: { text: 'Reflected cross-site scripting' },
                defaultConfiguration: { enabled: true, level: 'error' },
                properties: { tags: ['security', 'external/cwe/cwe-079', 'external/cwe/cwe-116'], precision: 'high', 'security-severity': '6.1' },
              },
            ],
          },
          extensions: [{ name: 'codeql/javascript-queries', semanticVersion: '0.8.7' }],
        },
        invocations: [{ executionSuccessful: true, toolExecutionNotifications: [] }],
        originalUriBaseIds: { '%SRCROOT%': { uri: 'file:///home/runner/work/shop/shop/' } },
        artifacts: [
          { location: { uri: 'server/routes/orders.js', uriBaseId: '%SRCROOT%', index: 0 } },
          { location: { uri: 'server/views/search.js', uriBaseId: '%SRCROOT%', index: 1 } },
        ],
        results: [
          {
            ruleId: 'js/sql-injection',
            ruleIndex: 0,
            rule: { id: 'js/sql-injection', index: 0 },
            message: { text: 'This query string depends on a [user-provided value](1).' },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: 'server/routes/orders.js', uriBaseId: '%SRCROOT%', index: 0 },
                  region: { startLine: 42, startColumn: 23, endColumn: 71 },
                },
              },
            ],
            partialFingerprints: { primaryLocationLineHash: '5f2c9b0e7a1d3c44:1', primaryLocationStartColumnFingerprint: '18' },
            codeFlows: [
              {
                threadFlows: [
                  {
                    locations: [
                      { location: { physicalLocation: { artifactLocation: { uri: 'server/routes/orders.js', uriBaseId: '%SRCROOT%', index: 0 }, region: { startLine: 40, startColumn: 20, endColumn: 34 } }, message: { text: 'req.query.id' } } },
                      { location: { physicalLocation: { artifactLocation: { uri: 'server/routes/orders.js', uriBaseId: '%SRCROOT%', index: 0 }, region: { startLine: 42, startColumn: 23, endColumn: 71 } } } },
                    ],
                  },
                ],
              },
            ],
            relatedLocations: [
              { id: 1, physicalLocation: { artifactLocation: { uri: 'server/routes/orders.js', uriBaseId: '%SRCROOT%', index: 0 }, region: { startLine: 40, startColumn: 20, endColumn: 34 } }, message: { text: 'user-provided value' } },
            ],
          },
          {
            ruleId: 'js/reflected-xss',
            ruleIndex: 1,
            message: { text: 'Cross-site scripting vulnerability due to a [user-provided value](1).' },
            locations: [{ physicalLocation: { artifactLocation: { index: 1 }, region: { startLine: 17, startColumn: 14, endLine: 17, endColumn: 40 } } }],
            partialFingerprints: { primaryLocationLineHash: 'a83b11f0c2de9e71:1' },
          },
        ],
        columnKind: 'utf16CodeUnits',
      },
    ],
  };
}

export function semgrepLog(): Json {
  return {
    version: '2.1.0',
    $schema: 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/os/schemas/sarif-schema-2.1.0.json',
    runs: [
      {
        tool: {
          driver: {
            name: 'Semgrep OSS',
            semanticVersion: '1.56.0',
            rules: [
              {
                id: 'python.lang.security.audit.dangerous-subprocess-use.dangerous-subprocess-use',
                name: 'python.lang.security.audit.dangerous-subprocess-use.dangerous-subprocess-use',
                shortDescription: { text: 'Semgrep Finding: python.lang.security.audit.dangerous-subprocess-use' },
                defaultConfiguration: { level: 'error' },
                properties: { tags: ['CWE-78: Improper Neutralization of Special Elements used in an OS Command', 'OWASP-A03:2021 - Injection', 'security'], precision: 'very-high' },
              },
            ],
          },
        },
        invocations: [{ executionSuccessful: true, toolExecutionNotifications: [] }],
        results: [
          {
            ruleId: 'python.lang.security.audit.dangerous-subprocess-use.dangerous-subprocess-use',
            level: 'error',
            message: { text: 'Detected subprocess function with argument tainted by user input.' },
            locations: [{ physicalLocation: { artifactLocation: { uri: 'app/tasks/export.py', uriBaseId: '%SRCROOT%' }, region: { startLine: 88, startColumn: 9, endLine: 88, endColumn: 61, snippet: { text: 'subprocess.run(cmd, shell=True)' } } } }],
            fingerprints: { 'matchBasedId/v1': '1f4c1d7f7a8e5c2b9f0a1e3d5c7b9a2e4f6a8c0e2d4b6a8c0e2f4a6c8e0b2d4f6a8c0e2d4f6a8b0c2e4f6a8c0e2d4f6a8b0c' },
          },
        ],
      },
    ],
  };
}

export function templatedLog(): Json {
  return {
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'infra-scan',
            version: '0.3',
            rules: [
              {
                id: 'TLS001',
                messageStrings: { weak: { text: 'Host {0} accepts {1}, which is deprecated.' } },
                defaultConfiguration: { level: 'warning' },
                properties: { tags: ['cwe-327'] },
              },
            ],
          },
        },
        results: [
          { ruleId: 'TLS001', message: { id: 'weak', arguments: ['10.0.0.7:443', 'TLS 1.0'] }, locations: [{ logicalLocations: [{ fullyQualifiedName: '10.0.0.7:443' }] }] },
          { ruleId: 'TLS001', kind: 'pass', message: { text: 'Host 10.0.0.8:443 accepts only TLS 1.2 and later.' } },
        ],
      },
    ],
  };
}
