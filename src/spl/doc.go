// Package spl splits Splunk searches (SPL) into pipelines of commands and
// expands their backtick macros: enough to check a saved search "to the
// command level" without a Splunk to parse it.
//
// It knows the lexical structure SPL shares across commands: "|" separates
// commands; double-quoted strings (with backslash escapes) hide pipes,
// brackets and backticks; "[...]" holds a subsearch, itself a pipeline;
// `name` and `name(arg,...)` are macro calls; ```...``` is a comment. It
// does not parse each command's own arguments.
//
//   - Parse splits a search into a Pipeline.
//   - Expand replaces macro calls with their definitions, reporting the ones
//     it cannot find.
//   - MacroCalls lists the macro calls of a search without expanding them.
//   - IsCommand tells whether a name is a built-in SPL command.
package spl
