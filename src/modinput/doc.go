// Package modinput implements the Splunk modular-input protocol on the
// binary's side: the --scheme document, the --validate-arguments <items>
// document and its <error> reply, the run-time <input> configuration, and the
// XML event stream written to stdout.
//
// The package provides:
//   - Scheme and Arg, marshalled by WriteScheme;
//   - ParseInput and ParseItems, which read the configuration splunkd writes to
//     stdin (UTF-8 only; a document declaring another encoding is rejected with
//     a clear error);
//   - WriteValidationError, the reply that makes splunkd refuse a stanza;
//   - EventWriter, which writes <stream>, escaped <event> elements and
//     </stream> on Close; as a sink.Sink it writes a page of events with one
//     flush.
//
// It depends on the standard library only (and package sink, which does
// too), so any binary may link it.
package modinput
