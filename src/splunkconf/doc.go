// Package splunkconf reads Splunk .conf files (and the .spec files apps ship
// in README/) the way splunkd does, keeping line numbers for messages.
//
// The syntax, from Splunk's own .spec files:
//   - "[name]" starts a stanza; settings before the first stanza belong to
//     the implicit default stanza (Name "").
//   - "key = value" sets a key; whitespace around both is trimmed.
//   - a line whose last character is a backslash continues on the next line.
//   - "#" starts a comment only at the start of a line (after indentation):
//     a "#" after a value is part of the value.
//
// Parse is the only reader; File.Format writes a file back in canonical form
// (used by the round-trip fuzz test and by tools that generate conf files).
package splunkconf
