"""Schediora's test and development tooling: test databases and broker helpers, a process stack for
end-to-end tests and benchmarks, signing keys for tokens, input probes, the schemathesis conformance
run and the development mail catcher. A dev-only package: no service or shared library imports it
(an import-linter contract enforces this), and no image installs it."""
