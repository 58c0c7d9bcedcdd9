// Package eksinput is the eks_logs modular input: it ties the protocol
// (modinput), the puller (cloudwatch), the checkpoint file (checkpoint) and
// splunkd's credential store (splunkd) together.
//
// The package provides:
//   - Params, Scheme and ParseConfig: the stanza parameters, declared once,
//     and their validation, shared by --validate-arguments and run mode;
//   - Main, the command line: --scheme, --validate-arguments, run mode, and
//     the admin commands "credentials" and "checkpoint".
package eksinput
