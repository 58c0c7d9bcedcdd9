// Package chunked implements Splunk's "chunked" external search command
// protocol (SCP v2), the protocol splunkd speaks to a custom search command
// configured with chunked = true in commands.conf.
//
// The package provides:
//
//   - Reader and Writer: the transport framing, "chunked 1.0,<M>,<B>\n"
//     followed by exactly M bytes of JSON metadata and B bytes of body, with
//     byte (not character) counts, no separators and a maximum chunk size;
//   - GetInfoRequest, SearchInfo and Config: the getinfo exchange;
//   - Table and Record: an execute body, splunkd's CSV with its __mv_<field>
//     multivalue columns, decoded so that every value comes back identical
//     when the table is encoded again;
//   - Command and Serve: the getinfo/execute state machine of a streaming
//     command, strictly one reply per request, with per-record warnings sent
//     as inspector messages and protocol errors ending the exchange with an
//     error reply.
//
// The package uses the standard library only: it is on the start-up path of
// every search on every indexer.
package chunked
