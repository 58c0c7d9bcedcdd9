package eksinput

import (
	"github.com/kubelens/kubelens/src/eksconf"
	"github.com/kubelens/kubelens/src/modinput"
)

// SchemeName is the modular-input scheme, and so the binary's name.
const SchemeName = eksconf.SchemeName

// Where AWS accounts are stored in splunkd (see eksconf).
const (
	CredentialRealm = eksconf.CredentialRealm
	CredentialApp   = eksconf.CredentialApp
)

// Scheme is the document --scheme prints; its arguments come from
// eksconf.Params.
func Scheme() modinput.Scheme {
	return modinput.Scheme{
		Title: "Amazon EKS control-plane logs (kubelens)",
		Description: "Reads EKS control-plane logs (above all the API-server audit log) from CloudWatch Logs " +
			"without losing or duplicating events across restarts, throttling and late arrival.",
		UseExternalValidation: true,
		UseSingleInstance:     false,
		StreamingMode:         "xml",
		Args:                  eksconf.SchemeArgs(),
	}
}
