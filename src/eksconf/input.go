package eksconf

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
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
	SweepInterval     time.Duration
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

// isSplunkdParam reports whether a stanza parameter is one of splunkd's own:
// the settings it defines for every input, and its pipeline and routing
// keys (_raw, _meta, _TCP_ROUTING, …) and dotted settings (python.version).
func isSplunkdParam(name string) bool {
	return implicitParams[name] || name == "queue" || strings.HasPrefix(name, "_") || strings.Contains(name, ".")
}

// StrictChecks returns what --validate-arguments refuses in a stanza
// beyond its values, and a running input only warns about: parameters that
// are neither eks_logs' nor splunkd's (a misspelled one would otherwise be
// ignored, its default silently applying), and an interval splunkd cannot
// schedule. Each is a *ParamError naming the parameter.
func StrictChecks(s modinput.Stanza) []error {
	var errs []error
	names := make([]string, 0, len(s.Params)+len(s.ParamLists))
	for name := range s.Params {
		names = append(names, name)
	}
	for name := range s.ParamLists {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range slices.Compact(names) {
		if p, ok := Lookup(name); (ok && p.Shells&(ShellStanza|ShellImplicit) != 0) || isSplunkdParam(name) {
			continue
		}
		var err error
		if near := closestParam(name); near != "" {
			err = fmt.Errorf("%w of eks_logs (did you mean %s?)", ErrUnknownKey, near)
		} else {
			err = fmt.Errorf("%w of eks_logs", ErrUnknownKey)
		}
		errs = append(errs, paramErr(name, "", err))
	}
	if v, ok := s.Params["interval"]; ok {
		if err := checkInterval(strings.TrimSpace(v)); err != nil {
			errs = append(errs, paramErr("interval", v, err))
		}
	}
	return errs
}

// closestParam returns the stanza parameter a name is a likely misspelling
// of (at most two edits, or a different case), or "".
func closestParam(name string) string {
	best, bestD := "", 3
	for _, p := range Params {
		if p.Shells&(ShellStanza|ShellImplicit) == 0 {
			continue
		}
		if strings.EqualFold(p.Name, name) {
			return p.Name
		}
		if d := EditDistance(strings.ToLower(name), p.Name); d < bestD {
			best, bestD = p.Name, d
		}
	}
	return best
}

// EditDistance is the Levenshtein distance, adjacent transpositions
// counting one (optimal string alignment): "overlpa" is 1 from "overlap".
// Suggestions for misspelt names use it.
func EditDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

// checkInterval accepts what inputs.conf.spec allows for interval: a
// number of seconds (a fraction allowed; 0 restarts the process as soon as
// it exits, -1 runs it once at start-up), or a cron schedule of five
// fields, "<minute> <hour> <day of month> <month> <day of week>", of
// numbers, *, ',', '-' and '/' (names of months or days are not supported).
func checkInterval(v string) error {
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		if math.IsNaN(f) || math.IsInf(f, 0) || (f < 0 && f != -1) {
			return errors.New("want a number of seconds (0: restart at once, -1: run once) or a cron schedule")
		}
		return nil
	}
	fields := strings.Fields(v)
	if len(fields) != 5 {
		return errors.New("want a number of seconds or a cron schedule of five fields: <minute> <hour> <day of month> <month> <day of week>")
	}
	limits := [5][2]int{{0, 59}, {0, 23}, {1, 31}, {1, 12}, {0, 7}}
	names := [5]string{"minute", "hour", "day of month", "month", "day of week"}
	for i, f := range fields {
		if !cronField(f, limits[i][0], limits[i][1]) {
			return fmt.Errorf("cron schedule: the %s field %q is not numbers %d-%d with *, ',', '-' and '/'", names[i], f, limits[i][0], limits[i][1])
		}
	}
	return nil
}

// cronField checks one field of a cron schedule: a list of *, n or n-m,
// each optionally /step.
func cronField(f string, lo, hi int) bool {
	num := func(s string) bool {
		n, err := strconv.Atoi(s)
		return err == nil && n >= lo && n <= hi && !strings.HasPrefix(s, "+")
	}
	for _, item := range strings.Split(f, ",") {
		rng, step, hasStep := strings.Cut(item, "/")
		if hasStep {
			if n, err := strconv.Atoi(step); err != nil || n < 1 || strings.HasPrefix(step, "+") {
				return false
			}
		}
		if rng == "*" {
			continue
		}
		a, b, isRange := strings.Cut(rng, "-")
		if !num(a) || (isRange && !num(b)) {
			return false
		}
	}
	return true
}

// Cautions returns what is valid in the input but likely not meant, one
// sentence each, for a WARN at start.
func (in Input) Cautions() []string {
	var out []string
	if in.SweepInterval > 0 && in.SweepInterval < in.PollInterval {
		out = append(out, fmt.Sprintf("sweep_interval %s is shorter than poll_interval %s: every poll is a late sweep, as with sweep_interval = 0, and reads each event about (overlap + poll_interval) / poll_interval times (a bare number is seconds: 5 is five seconds)",
			in.SweepInterval, in.PollInterval))
	}
	return out
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
	for _, e := range StrictChecks(s) {
		var pe *ParamError
		if errors.As(e, &pe) && errors.Is(e, ErrUnknownKey) {
			in.Unknown = append(in.Unknown, pe.Param)
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
// ("inputs[0]." in the service's file). A rule between parameters (one of
// cluster_name and log_group, external_id with role_arn, the role's
// partition and the Region's) is only checked against values that were
// valid: a refused value is reported once, for itself.
func parseInput(stanza string, shells Shell, get func(string) (string, bool), prefix string, now time.Time) (Input, error) {
	in := Input{Stanza: stanza}
	var errs []error
	bad := func(param, value string, err error) {
		errs = append(errs, paramErr(prefix+param, value, err))
	}
	refused := map[string]bool{}
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
			refused[p.Name] = true
			bad(p.Name, v, err)
			continue
		}
		p.set(&in, val)
	}
	switch {
	case in.LogGroup == "" && in.ClusterName == "":
		if !refused["cluster_name"] && !refused["log_group"] {
			bad("cluster_name", "", fmt.Errorf("%w unless log_group is set", ErrRequired))
		}
	case in.LogGroup == "":
		in.LogGroup = eks.LogGroup(in.ClusterName)
	}
	if in.ExternalID != "" && in.RoleARN == "" && !refused["role_arn"] {
		bad("external_id", "", errors.New("is only used with role_arn, which is not set"))
	}
	if in.RoleARN != "" && in.Region != "" {
		if p, r := arnPartition(in.RoleARN), eks.PartitionOf(in.Region); p != r {
			bad("role_arn", in.RoleARN, fmt.Errorf("a role of partition %s cannot be assumed in aws_region %s (partition %s): use arn:%s:iam::…", p, in.Region, r, r))
		}
	}
	return in, errors.Join(errs...)
}

// arnPartition returns the partition of an ARN: arn:<partition>:….
func arnPartition(arn string) string {
	parts := strings.SplitN(arn, ":", 3)
	if len(parts) < 3 {
		return ""
	}
	return parts[1]
}
