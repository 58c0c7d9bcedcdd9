package eksinput

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/kubelens/kubelens/src/modinput"
	"github.com/kubelens/kubelens/src/splunklog"
	"github.com/sirupsen/logrus"
)

// LogType is a control-plane log type and how its streams are selected.
type LogType struct {
	Name          string
	Prefix        string // logStreamNamePrefix
	ExcludePrefix string // streams dropped client-side
}

// LogTypes maps each EKS log type to its stream prefix. "api" shares its
// prefix with the audit streams, which it drops.
var LogTypes = []LogType{
	{Name: "audit", Prefix: "kube-apiserver-audit-"},
	{Name: "api", Prefix: "kube-apiserver-", ExcludePrefix: "kube-apiserver-audit-"},
	{Name: "authenticator", Prefix: "authenticator-"},
	{Name: "controllerManager", Prefix: "kube-controller-manager-"},
	{Name: "scheduler", Prefix: "kube-scheduler-"},
}

// StartKind says how start_from was given.
type StartKind int

// Kinds of start_from.
const (
	StartNow StartKind = iota
	StartBeginning
	StartAt       // an absolute time
	StartRelative // a negative offset from now
)

// StartFrom is a parsed start_from.
type StartFrom struct {
	Kind   StartKind
	At     time.Time
	Offset time.Duration // negative, for StartRelative
}

// Resolve returns the start in epoch ms for the given now.
func (s StartFrom) Resolve(now time.Time) int64 {
	switch s.Kind {
	case StartBeginning:
		return 0
	case StartAt:
		return s.At.UnixMilli()
	case StartRelative:
		return max(now.Add(s.Offset).UnixMilli(), 0)
	}
	return now.UnixMilli()
}

// Config is one stanza, parsed and validated.
type Config struct {
	Stanza            string // full name, eks_logs://<name>
	Region            string
	ClusterName       string
	LogGroup          string
	LogTypes          []LogType
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
	LogLevel          logrus.Level
	Index             string
	Host              string
	SourceType        string
	// Unknown lists parameters that are neither ours nor splunkd's.
	Unknown []string
}

// ParamError locates a validation error: the message names the parameter
// and the value (never a secret: no parameter of this scheme is one).
type ParamError struct {
	Param string
	Value string
	Err   error
}

func (e *ParamError) Error() string {
	if e.Value == "" {
		return fmt.Sprintf("%s: %v", e.Param, e.Err)
	}
	return fmt.Sprintf("%s: %q: %v", e.Param, e.Value, e.Err)
}

func (e *ParamError) Unwrap() error { return e.Err }

var (
	// Every partition: aws (us-east-1, mx-central-1, ...), aws-us-gov
	// (us-gov-west-1), aws-cn (cn-north-1), and the ISO partitions
	// (us-iso-east-1, us-isob-east-1, eu-isoe-west-1, us-isof-south-1).
	regionRE     = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]?)?-(north|south|east|west|central|northeast|northwest|southeast|southwest)-[0-9]{1,2}$`)
	clusterRE    = regexp.MustCompile(`^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$`)
	logGroupRE   = regexp.MustCompile(`^[.\-_/#A-Za-z0-9]{1,512}$`)
	accountRE    = regexp.MustCompile(AccountNamePattern)
	roleARNRE    = regexp.MustCompile(`^arn:aws(-cn|-us-gov|-iso|-iso-b|-iso-e|-iso-f)?:iam::[0-9]{12}:role/[\w+=,.@/-]{1,512}$`)
	externalIDRE = regexp.MustCompile(`^[\w+=,.@:/-]+$`) // 2 to 1224 long, checked apart: RE2 caps repeats at 1000
)

// Validation errors that callers and tests branch on.
var (
	ErrRequired   = errors.New("required")
	ErrOutOfRange = errors.New("out of range")
)

// ParseConfig reads and validates a stanza. name is the stanza's name,
// with or without the eks_logs:// prefix (--validate-arguments gives it
// without). All problems are reported at once, joined.
func ParseConfig(s modinput.Stanza, now time.Time) (Config, error) {
	c := Config{Stanza: s.Name}
	if !strings.Contains(c.Stanza, "://") {
		c.Stanza = SchemeName + "://" + c.Stanza
	}
	known := map[string]bool{}
	for _, p := range Params {
		known[p.Name] = true
	}
	get := func(name string) string {
		if v, ok := s.Params[name]; ok {
			return strings.TrimSpace(v)
		}
		if vs, ok := s.ParamLists[name]; ok {
			return strings.TrimSpace(strings.Join(vs, ","))
		}
		return ""
	}
	for name := range s.Params {
		if !known[name] && !implicitParams[name] {
			c.Unknown = append(c.Unknown, name)
		}
	}
	var errs []error
	bad := func(param, value string, err error) {
		errs = append(errs, &ParamError{Param: param, Value: value, Err: err})
	}

	c.Region = get("aws_region")
	switch {
	case c.Region == "":
		bad("aws_region", "", ErrRequired)
	case !regionRE.MatchString(c.Region):
		bad("aws_region", c.Region, errors.New("not an AWS Region name (e.g. us-east-1, us-gov-west-1, cn-north-1)"))
	}

	c.ClusterName = get("cluster_name")
	c.LogGroup = get("log_group")
	if c.ClusterName != "" && !clusterRE.MatchString(c.ClusterName) {
		bad("cluster_name", c.ClusterName, errors.New("not an EKS cluster name (letters, digits, - and _, up to 100, starting with a letter or digit)"))
	}
	switch {
	case c.LogGroup != "" && !logGroupRE.MatchString(c.LogGroup):
		bad("log_group", c.LogGroup, errors.New("not a CloudWatch Logs log group name"))
	case c.LogGroup == "" && c.ClusterName == "":
		bad("cluster_name", "", fmt.Errorf("%w unless log_group is set", ErrRequired))
	case c.LogGroup == "":
		c.LogGroup = "/aws/eks/" + c.ClusterName + "/cluster"
	}

	types := get("log_types")
	if types == "" {
		types = DefaultLogTypes
	}
	seen := map[string]bool{}
	for _, name := range strings.FieldsFunc(types, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == ';' }) {
		lt, ok := lookupLogType(name)
		if !ok {
			bad("log_types", name, errors.New("unknown log type (want any of audit, api, authenticator, controllerManager, scheduler)"))
			continue
		}
		if !seen[lt.Name] {
			seen[lt.Name] = true
			c.LogTypes = append(c.LogTypes, lt)
		}
	}

	start := get("start_from")
	if start == "" {
		start = DefaultStartFrom
	}
	sf, err := parseStartFrom(start, now)
	if err != nil {
		bad("start_from", start, err)
	}
	c.StartFrom = sf

	c.AWSAccount = get("aws_account")
	if c.AWSAccount != "" && !accountRE.MatchString(c.AWSAccount) {
		bad("aws_account", c.AWSAccount, errors.New("account names use letters, digits, '.', '_', '@' and '-' (up to 128)"))
	}
	c.RoleARN = get("role_arn")
	if c.RoleARN != "" && !roleARNRE.MatchString(c.RoleARN) {
		bad("role_arn", c.RoleARN, errors.New("not an IAM role ARN (arn:<partition>:iam::<12-digit account>:role/<name>)"))
	}
	c.ExternalID = get("external_id")
	switch {
	case c.ExternalID != "" && c.RoleARN == "":
		bad("external_id", "", errors.New("is only used with role_arn, which is not set"))
	case c.ExternalID != "" && (!externalIDRE.MatchString(c.ExternalID) || len(c.ExternalID) < 2 || len(c.ExternalID) > 1224):
		bad("external_id", "", errors.New("must be 2 to 1224 characters of letters, digits and +=,.@:/-"))
	}
	c.EndpointURL = get("endpoint_url")
	if c.EndpointURL != "" {
		u, err := url.Parse(c.EndpointURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			bad("endpoint_url", c.EndpointURL, errors.New("not an http(s) URL"))
		}
	}

	duration := func(param, def string, min, max time.Duration, allowZero bool) time.Duration {
		v := get(param)
		if v == "" {
			v = def
		}
		d, err := parseDuration(v)
		switch {
		case err != nil:
			bad(param, v, err)
		case d < 0 || (d == 0 && !allowZero) || d < min || d > max:
			bad(param, v, fmt.Errorf("%w: want %s to %s", ErrOutOfRange, describeMin(min, allowZero), max))
		}
		return d
	}
	c.PollInterval = duration("poll_interval", DefaultPollInterval, time.Millisecond, 24*time.Hour, false)
	c.Overlap = duration("overlap", DefaultOverlap, 0, 14*24*time.Hour, true)
	c.Lag = duration("lag", DefaultLag, 0, 24*time.Hour, true)
	c.MaxBackoff = duration("max_backoff", DefaultMaxBackoff, time.Millisecond, 10*time.Minute, false)

	c.MaxCallsPerSecond = DefaultMaxCallsPerSecond
	if v := get("max_calls_per_second"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		switch {
		case err != nil:
			bad("max_calls_per_second", v, errors.New("not a number"))
		case !(f > 0 && f <= 1000):
			bad("max_calls_per_second", v, fmt.Errorf("%w: want more than 0 and at most 1000", ErrOutOfRange))
		default:
			c.MaxCallsPerSecond = f
		}
	}

	c.LogLevel = logrus.InfoLevel
	if v := get("log_level"); v != "" {
		lvl, err := splunklog.ParseLevel(v)
		if err != nil {
			bad("log_level", v, errors.New("want DEBUG, INFO, WARN, ERROR or FATAL"))
		}
		c.LogLevel = lvl
	}

	c.Index = get("index")
	if c.Index == "default" {
		// inputs.conf's "default" means splunkd's default index; leaving
		// <index> out of the event has that effect.
		c.Index = ""
	}
	c.Host = get("host")
	c.SourceType = get("sourcetype")
	if c.SourceType == "" {
		c.SourceType = DefaultSourceType
	}
	return c, errors.Join(errs...)
}

func describeMin(min time.Duration, allowZero bool) string {
	if allowZero {
		return "0s"
	}
	return "more than 0 (at least " + min.String() + ")"
}

func lookupLogType(name string) (LogType, bool) {
	for _, lt := range LogTypes {
		if strings.EqualFold(lt.Name, name) {
			return lt, true
		}
	}
	return LogType{}, false
}

// parseDuration accepts Go durations ("30s", "1h30m", "500ms"), a bare
// number of seconds ("30"), and whole days ("7d").
func parseDuration(s string) (time.Duration, error) {
	if n, err := strconv.ParseFloat(s, 64); err == nil {
		if n > 1e9 || n < -1e9 {
			return 0, errors.New("too large")
		}
		return time.Duration(n * float64(time.Second)), nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(strings.TrimPrefix(days, "-"))
		if err == nil && n <= 36500 {
			d := time.Duration(n) * 24 * time.Hour
			if strings.HasPrefix(days, "-") {
				d = -d
			}
			return d, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, errors.New("not a duration (e.g. 30s, 10m, 1h, 7d, or a number of seconds)")
	}
	return d, nil
}

func parseStartFrom(s string, now time.Time) (StartFrom, error) {
	switch strings.ToLower(s) {
	case "now":
		return StartFrom{Kind: StartNow}, nil
	case "beginning":
		return StartFrom{Kind: StartBeginning}, nil
	}
	if strings.HasPrefix(s, "-") {
		d, err := parseDuration(s)
		if err != nil || d >= 0 {
			return StartFrom{}, errors.New("want now, beginning, an RFC 3339 time such as 2024-05-01T00:00:00Z, or a relative time such as -24h")
		}
		return StartFrom{Kind: StartRelative, Offset: d}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return StartFrom{}, errors.New("want now, beginning, an RFC 3339 time such as 2024-05-01T00:00:00Z, or a relative time such as -24h")
	}
	if t.Before(time.Unix(0, 0)) {
		return StartFrom{}, fmt.Errorf("%w: before 1970", ErrOutOfRange)
	}
	if t.After(now.Add(time.Minute)) {
		return StartFrom{}, fmt.Errorf("%w: in the future", ErrOutOfRange)
	}
	return StartFrom{Kind: StartAt, At: t}, nil
}
