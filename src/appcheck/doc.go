// Package appcheck checks a built kubelens package the way Splunk's
// AppInspect would, for what can be checked without a Splunk: layout and
// permissions, conf syntax and documented settings, macros, lookups and SPL
// of every search, the Enterprise Security risk settings of saved searches
// against the fields their results carry, binaries for every platform, the
// modular input's spec against its --scheme, secrets, the README's binary
// declaration, what Splunk Cloud vetting refuses (views without
// version="1.1", inline scripts, setup.xml, passwords.conf, HTML
// dashboards, scripts importing Splunk Web's modules), and the setup page
// (first-launch view, its input form against --scheme, admin-only stored
// secrets).
//
// Run checks a package (a .tgz, extracted to a temporary folder, or an app
// folder) and returns a Report: one Finding per problem, each naming its
// check, so that a failure says what to fix.
package appcheck
