package eksconf

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/kubelens/kubelens/src/eks"
	"github.com/kubelens/kubelens/src/modinput"
	"github.com/sirupsen/logrus"
)

// Input is one input, parsed and validated: a stanza of inputs.conf, or an
// entry of the service's inputs: list.
type Input struct {
	// Stanza is the full stanza name, eks_logs://<name>; a service input
	// named prod has the stanza name eks_logs://prod, so both shells read
	// and write the same checkpoint file.
	Stanza            string
	Region            string
	ClusterName       string
	LogGroup          string
	LogTypes          []eks.LogType
	StartFrom         StartFrom
	AWSAccount        string
	RoleARN           string
	ExternalID        string
	EndpointURL       string
	PollInterval      time.Duration
	Overlap           time.Duration
	Lag               time.Duration
	MaxCallsPerSecond float64
	MaxBackoff        time.Duration
	CallTimeout       time.Duration
	LogLevel          logrus.Level
	Index             string
	Host              string
	SourceType        string
	// Unknown lists stanza parameters that are neither ours nor splunkd's
	// (a stanza only: the service refuses unknown keys).
	Unknown []string
}

// Name returns the input's name: the stanza name without eks_logs://.
func (in Input) Name() string {
	_, name, _ := strings.Cut(in.Stanza, "://")
	return name
}

// Principal returns who the input reads as, for its checkpoint key: the
// role it assumes (the role's ARN names its account), else the name of its
// stored AWS account, else "" (the default credential chain, whose identity
// is not known without a call to AWS).
func (in Input) Principal() string {
	switch {
	case in.RoleARN != "":
		return "role_arn:" + in.RoleARN
	case in.AWSAccount != "":
		return "aws_account:" + in.AWSAccount
	}
	return ""
}

// EndpointKey returns endpoint_url as the checkpoint key holds it: scheme
// and host in lower case, no trailing slash; "" when not set.
func (in Input) EndpointKey() string {
	if in.EndpointURL == "" {
		return ""
	}
	u, err := url.Parse(in.EndpointURL)
	if err != nil {
		return in.EndpointURL
	}
	u.Scheme, u.Host = strings.ToLower(u.Scheme), strings.ToLower(u.Host)
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u.String()
}

// StanzaName returns the full stanza name of an input name.
func StanzaName(name string) string {
	if strings.Contains(name, "://") {
		return name
	}
	return SchemeName + "://" + name
}

// implicitParams are set by splunkd for every input; they are not
// arguments of the scheme.
var implicitParams = map[string]bool{
	"index": true, "host": true, "source": true, "sourcetype": true, "disabled": true, "interval": true,
	"start_by_shell": true, "python.version": true, "run_introspection": true, "queueSize": true,
	"persistentQueueSize": true, "_rcvbuf": true, "_TCP_ROUTING": true, "_SYSLOG_ROUTING": true, "_INDEX_AND_FORWARD_ROUTING": true,
	"outputgroup": true, "passAuth": true,
}

// ParseStanza reads and validates a stanza. Its name may be given with or
// without the eks_logs:// prefix (--validate-arguments gives it without).
// All problems are reported at once, joined, each a *ParamError.
func ParseStanza(s modinput.Stanza, now time.Time) (Input, error) {
	get := func(name string) (string, bool) {
		if v, ok := s.Params[name]; ok {
			return strings.TrimSpace(v), true
		}
		if vs, ok := s.ParamLists[name]; ok {
			return strings.TrimSpace(strings.Join(vs, ",")), true
		}
		return "", false
	}
	in, err := parseInput(StanzaName(s.Name), ShellStanza|ShellImplicit, get, "", now)
	for name := range s.Params {
		if p, ok := Lookup(name); (!ok || p.Shells&(ShellStanza|ShellImplicit) == 0) && !implicitParams[name] {
			in.Unknown = append(in.Unknown, name)
		}
	}
	if in.Index == "default" {
		// inputs.conf's "default" means splunkd's default index; leaving
		// <index> out of the event has that effect.
		in.Index = ""
	}
	return in, err
}

// parseInput applies every parameter of the shells: the value get returns,
// else the default. Errors name the parameter with prefix before it
// ("inputs[0]." in the service's file).
func parseInput(stanza string, shells Shell, get func(string) (string, bool), prefix string, now time.Time) (Input, error) {
	in := Input{Stanza: stanza}
	var errs []error
	bad := func(param, value string, err error) {
		errs = append(errs, &ParamError{Param: prefix + param, Value: value, Err: err})
	}
	for _, p := range Params {
		if p.Shells&shells == 0 {
			continue
		}
		v, ok := get(p.Name)
		if !ok || v == "" {
			if p.Required {
				bad(p.Name, "", ErrRequired)
			} else if p.Default != nil {
				p.set(&in, p.Default)
			}
			continue
		}
		val, err := p.Parse(v, now)
		if err != nil {
			shown := v
			if p.Name == "external_id" {
				shown = "" // a shared secret of sorts: never echoed
			}
			bad(p.Name, shown, err)
			continue
		}
		p.set(&in, val)
	}
	switch {
	case in.LogGroup == "" && in.ClusterName == "":
		bad("cluster_name", "", fmt.Errorf("%w unless log_group is set", ErrRequired))
	case in.LogGroup == "":
		in.LogGroup = eks.LogGroup(in.ClusterName)
	}
	if in.ExternalID != "" && in.RoleARN == "" {
		bad("external_id", "", errors.New("is only used with role_arn, which is not set"))
	}
	return in, errors.Join(errs...)
}
