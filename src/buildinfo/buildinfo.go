// Package buildinfo holds the version the build stamped into a binary.
//
// The Makefile sets Version from the root VERSION file with
// -ldflags "-X github.com/kubelens/kubelens/src/buildinfo.Version=<v>", so both
// binaries and the packaged app.conf agree on one number.
package buildinfo

// Version is the app version (Major.Minor.Revision). A plain "go build"
// without the Makefile's ldflags leaves it at "0.0.0-dev".
var Version = "0.0.0-dev"
