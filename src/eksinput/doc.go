// Package eksinput is the core of eks_logs and its modular-input shell: it
// ties the parameters (eksconf), the puller (cloudwatch), the checkpoint
// file (checkpoint), the sinks (sink) and splunkd's credential store
// (splunkd) together.
//
// The package provides:
//   - Input, one input at run time, which both shells (the modular input
//     and the service in eksservice) drive: checkpoint loading, the poll
//     loop, saving, the health line;
//   - SyncHandler, the modular input's delivery: a page is written to
//     splunkd, flushed once, then checkpointed;
//   - Scheme, the --scheme document built from eksconf.Params;
//   - Main, the command line: --scheme, --validate-arguments, run mode, and
//     the admin commands "credentials" and "checkpoint".
package eksinput
