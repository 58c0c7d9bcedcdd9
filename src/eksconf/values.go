package eksconf

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/kubelens/kubelens/src/eks"
	"github.com/kubelens/kubelens/src/splunklog"
	"github.com/sirupsen/logrus"
)

// Validation errors that callers and tests branch on with errors.Is.
var (
	ErrRequired   = errors.New("required")
	ErrOutOfRange = errors.New("out of range")
	ErrUnknownKey = errors.New("unknown key")
)

// ParamError locates a validation error: Param names the parameter (in the
// service's file, its path: inputs[0].log_types), Value the offending value
// unless it may be a secret. Build it with paramErr, which leaves out the
// values of secret-bearing settings; Error also redacts credentials in URLs.
type ParamError struct {
	Param string
	Value string
	Err   error
}

func (e *ParamError) Error() string {
	v := shownValue(e.Param, e.Value)
	if v == "" {
		return fmt.Sprintf("%s: %v", e.Param, e.Err)
	}
	return fmt.Sprintf("%s: %q: %v", e.Param, v, e.Err)
}

// paramErr returns the error of a parameter, with the value as it may be
// shown.
func paramErr(param, value string, err error) *ParamError {
	return &ParamError{Param: param, Value: shownValue(param, value), Err: err}
}

// secretBearing are the settings whose values are never shown, even
// refused: a secret, or where one is (a value typed there by mistake is
// often the secret itself). external_id is not a secret to AWS, but it is
// treated as one, as its documentation advises against disclosing it.
var secretBearing = map[string]bool{
	"external_id": true, "token": true, "token_env": true, "token_file": true,
	"client_secret": true, "client_secret_env": true, "client_secret_file": true, "password": true,
}

// shownValue returns what an error may show of a parameter's value: nothing
// for a secret-bearing setting, else the value with any credentials in a
// URL (user:password@) replaced.
func shownValue(param, value string) string {
	name := param
	if i := strings.LastIndex(name, "."); i >= 0 {
		name = name[i+1:]
	}
	if secretBearing[name] {
		return ""
	}
	return RedactURL(value)
}

// RedactURL replaces the user information of a URL (and of anything shaped
// like one: the text before an '@' in what follows "://", or a
// "user:password@host" with no scheme) with "REDACTED", so that a URL with
// credentials is never shown with them.
func RedactURL(v string) string {
	rest, prefix := v, ""
	if i := strings.Index(v, "://"); i >= 0 {
		prefix, rest = v[:i+3], v[i+3:]
	}
	end := len(rest)
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		end = i
	}
	at := strings.LastIndex(rest[:end], "@")
	if at < 0 || (prefix == "" && !strings.Contains(rest[:at], ":")) {
		// No user information; without a scheme, "name@domain" (an account
		// name may hold '@') is no URL: only "user:password@host" is.
		return v
	}
	return prefix + "REDACTED@" + rest[at+1:]
}

func (e *ParamError) Unwrap() error { return e.Err }

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
	text   string
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

// String returns start_from as it was written.
func (s StartFrom) String() string { return s.text }

var (
	logGroupRE   = regexp.MustCompile(`^[.\-_/#A-Za-z0-9]{1,512}$`)
	accountRE    = regexp.MustCompile(AccountNamePattern)
	roleARNRE    = regexp.MustCompile(`^arn:aws(-cn|-us-gov|-iso|-iso-b|-iso-e|-iso-f)?:iam::[0-9]{12}:role/[\w+=,.@/-]{1,512}$`)
	externalIDRE = regexp.MustCompile(`^[\w+=,.@:/-]+$`) // 2 to 1224 long, checked apart: RE2 caps repeats at 1000
)

// ParseDuration accepts Go durations ("30s", "1h30m", "500ms"), a bare
// number of seconds ("30", "0.5"), and whole days ("7d").
func ParseDuration(s string) (time.Duration, error) {
	if n, err := strconv.ParseFloat(s, 64); err == nil {
		if n > 1e9 || n < -1e9 || math.IsNaN(n) {
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

// FormatDuration writes d the way the documentation does: 30s, 10m, 1h,
// 7d, 500ms.
func FormatDuration(d time.Duration) string {
	switch {
	case d == 0:
		return "0s"
	case d%(24*time.Hour) == 0:
		return strconv.FormatInt(int64(d/(24*time.Hour)), 10) + "d"
	case d%time.Hour == 0:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	case d%time.Minute == 0:
		return strconv.FormatInt(int64(d/time.Minute), 10) + "m"
	case d%time.Second == 0:
		return strconv.FormatInt(int64(d/time.Second), 10) + "s"
	}
	return d.String()
}

// durationIn returns a parser of durations between lo and hi; zero is
// allowed only when lo is zero.
func durationIn(lo, hi time.Duration) func(string, time.Time) (any, error) {
	return func(v string, _ time.Time) (any, error) {
		d, err := ParseDuration(v)
		if err != nil {
			return nil, err
		}
		if d < lo || d > hi || (d == 0 && lo > 0) {
			low := "0s"
			if lo > 0 {
				low = "more than 0 (at least " + FormatDuration(lo) + ")"
			}
			return nil, fmt.Errorf("%w: want %s to %s", ErrOutOfRange, low, FormatDuration(hi))
		}
		return d, nil
	}
}

func parseRegion(v string, _ time.Time) (any, error) {
	if !eks.IsRegion(v) {
		return nil, errors.New("not an AWS Region name (e.g. us-east-1, us-gov-west-1, cn-north-1)")
	}
	return v, nil
}

func parseCluster(v string, _ time.Time) (any, error) {
	if !eks.ValidClusterName(v) {
		return nil, errors.New("not an EKS cluster name (letters, digits, - and _, up to 100, starting with a letter or digit)")
	}
	return v, nil
}

func parseLogGroup(v string, _ time.Time) (any, error) {
	if !logGroupRE.MatchString(v) {
		return nil, errors.New("not a CloudWatch Logs log group name")
	}
	return v, nil
}

// parseLogTypes reads a list separated by commas, spaces or semicolons. An
// empty list (log_types = ",") is refused: the input would poll nothing.
func parseLogTypes(v string, _ time.Time) (any, error) {
	var out []eks.LogType
	var bad []string
	seen := map[string]bool{}
	for _, name := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == ';' }) {
		lt, ok := eks.LookupLogType(name)
		if !ok {
			bad = append(bad, name)
			continue
		}
		if !seen[lt.Name] {
			seen[lt.Name] = true
			out = append(out, lt)
		}
	}
	want := "any of " + strings.Join(eks.LogTypeNames(), ", ")
	if len(bad) > 0 {
		return nil, fmt.Errorf("unknown log type %s (want %s)", strings.Join(bad, ", "), want)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no log type given (want %s)", ErrRequired, want)
	}
	return out, nil
}

func parseStartFrom(s string, now time.Time) (any, error) {
	switch strings.ToLower(s) {
	case "now":
		return StartFrom{Kind: StartNow, text: s}, nil
	case "beginning":
		return StartFrom{Kind: StartBeginning, text: s}, nil
	}
	bad := errors.New("want now, beginning, an RFC 3339 time such as 2024-05-01T00:00:00Z, or a relative time such as -24h")
	if strings.HasPrefix(s, "-") {
		d, err := ParseDuration(s)
		if err != nil || d >= 0 {
			return nil, bad
		}
		return StartFrom{Kind: StartRelative, Offset: d, text: s}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return nil, bad
	}
	if t.Before(time.Unix(0, 0)) {
		return nil, fmt.Errorf("%w: before 1970", ErrOutOfRange)
	}
	if t.After(now.Add(time.Minute)) {
		return nil, fmt.Errorf("%w: in the future", ErrOutOfRange)
	}
	return StartFrom{Kind: StartAt, At: t, text: s}, nil
}

func parseAccount(v string, _ time.Time) (any, error) {
	if !accountRE.MatchString(v) {
		return nil, errors.New("account names use letters, digits, '.', '_', '@' and '-' (up to 128)")
	}
	return v, nil
}

func parseRoleARN(v string, _ time.Time) (any, error) {
	if !roleARNRE.MatchString(v) {
		return nil, errors.New("not an IAM role ARN (arn:<partition>:iam::<12-digit account>:role/<name>)")
	}
	return v, nil
}

func parseExternalID(v string, _ time.Time) (any, error) {
	if !externalIDRE.MatchString(v) || len(v) < 2 || len(v) > 1224 {
		return nil, errors.New("must be 2 to 1224 characters of letters, digits and +=,.@:/-")
	}
	return v, nil
}

func parseHTTPURL(v string, _ time.Time) (any, error) {
	u, err := url.Parse(v)
	if err == nil && u.User != nil {
		return nil, errors.New("no credentials in the URL (user:password@): they would be kept and shown in clear")
	}
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, errors.New("not an http(s) URL")
	}
	return v, nil
}

// MinCallsPerSecond is the smallest max_calls_per_second: one call per 100
// s. Smaller rates are refused because the input would go silent for
// months (1e-7 is one call in four months).
const MinCallsPerSecond = 0.01

func parseCallRate(v string, _ time.Time) (any, error) {
	f, err := strconv.ParseFloat(v, 64)
	switch {
	case err != nil && !errors.Is(err, strconv.ErrRange):
		return nil, errors.New("not a number")
	case err != nil || math.IsNaN(f) || f < MinCallsPerSecond || f > 1000:
		return nil, fmt.Errorf("%w: want %g (one call per 100 s) to 1000", ErrOutOfRange, MinCallsPerSecond)
	}
	return f, nil
}

// parseLevel reads one of the five levels splunkd files lines under, in
// any case, and splunklog.ParseLevel's aliases TRACE, WARNING and CRITICAL
// (DEBUG, WARN and FATAL), which earlier versions took: an input that ran
// must not stop at an upgrade over a spelling.
func parseLevel(v string, _ time.Time) (any, error) {
	switch strings.ToUpper(v) {
	case "DEBUG", "INFO", "WARN", "ERROR", "FATAL", "TRACE", "WARNING", "CRITICAL":
		return splunklog.ParseLevel(v)
	}
	return nil, errors.New("want DEBUG, INFO, WARN, ERROR or FATAL")
}

func parseText(v string, _ time.Time) (any, error) { return v, nil }

// FormatValue writes a typed value (a default) as it would be written in a
// stanza or the YAML file.
func FormatValue(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case time.Duration:
		return FormatDuration(x)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case bool:
		return strconv.FormatBool(x)
	case []eks.LogType:
		names := make([]string, len(x))
		for i, t := range x {
			names[i] = t.Name
		}
		return strings.Join(names, ",")
	case StartFrom:
		return x.String()
	case logrus.Level:
		return splunklog.LevelName(x)
	case Bytes:
		return x.String()
	}
	return fmt.Sprint(v)
}
