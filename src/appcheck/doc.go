// Package appcheck checks a built kubelens package the way Splunk's
// AppInspect would, for what can be checked without a Splunk: layout and
// permissions, conf syntax and documented settings, macros, lookups and SPL
// of every search, the Enterprise Security risk settings of saved searches
// against the fields their results carry, binaries for every platform, the modular input's spec
// against its --scheme, secrets, and the README's binary declaration.
//
// Run checks a package (a .tgz, extracted to a temporary folder, or an app
// folder) and returns a Report: one Finding per problem, each naming its
// check, so that a failure says what to fix.
package appcheck
