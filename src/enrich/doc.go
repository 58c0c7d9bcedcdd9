// Package enrich derives the kubelens analyst fields from one Kubernetes
// audit event as Splunk holds it: the fields Splunk extracted
// (user.username, sourceIPs{}, ...) and the _raw JSON behind them.
//
// It is pure: no I/O, no clock, no globals that change. Every output field
// is declared once in Catalogue, from which the README, searchbnf.conf and
// the command's fields= groups are written.
package enrich
