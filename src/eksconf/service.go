package eksconf

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sirupsen/logrus"
	"sigs.k8s.io/yaml"
)

// Bytes is a size in bytes, written 64MiB, 512KiB, 1MB or a bare number.
type Bytes int64

var bytesRE = regexp.MustCompile(`^([0-9]+)\s*([KMG]i?B|B)?$`)

// ParseBytes reads a size: a number of bytes, or one with a unit B, KB,
// MB, GB (powers of 1000) or KiB, MiB, GiB (powers of 1024).
func ParseBytes(s string) (Bytes, error) {
	m := bytesRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, errors.New("not a size (e.g. 64MiB, 512KiB, 1MB or a number of bytes)")
	}
	n, err := strconv.ParseInt(m[1], 10, 64)
	if err != nil {
		return 0, errors.New("too large")
	}
	mult := map[string]int64{"": 1, "B": 1, "KB": 1e3, "MB": 1e6, "GB": 1e9, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30}[m[2]]
	if n > (1<<62)/mult {
		return 0, errors.New("too large")
	}
	return Bytes(n * mult), nil
}

// String writes b with the largest binary unit that divides it.
func (b Bytes) String() string {
	for _, u := range []struct {
		n    Bytes
		name string
	}{{1 << 30, "GiB"}, {1 << 20, "MiB"}, {1 << 10, "KiB"}} {
		if b >= u.n && b%u.n == 0 {
			return strconv.FormatInt(int64(b/u.n), 10) + u.name
		}
	}
	return strconv.FormatInt(int64(b), 10)
}

func bytesIn(lo, hi Bytes) func(string, time.Time) (any, error) {
	return func(v string, _ time.Time) (any, error) {
		b, err := ParseBytes(v)
		if err != nil {
			return nil, err
		}
		if b < lo || b > hi {
			return nil, fmt.Errorf("%w: want %s to %s", ErrOutOfRange, lo, hi)
		}
		return b, nil
	}
}

// intIn parses a whole number from lo to hi.
func intIn(lo, hi int) func(string, time.Time) (any, error) {
	return func(v string, _ time.Time) (any, error) {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return nil, errors.New("not a whole number")
		}
		if n < lo || n > hi {
			return nil, fmt.Errorf("%w: want %d to %d", ErrOutOfRange, lo, hi)
		}
		return n, nil
	}
}

func parseBool(v string, _ time.Time) (any, error) {
	b, err := strconv.ParseBool(v)
	if err != nil {
		return nil, errors.New("want true or false")
	}
	return b, nil
}

func parseRateIn(lo, hi float64) func(string, time.Time) (any, error) {
	return func(v string, _ time.Time) (any, error) {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return nil, errors.New("not a number")
		}
		if err != nil || !(f >= lo && f <= hi) {
			return nil, fmt.Errorf("%w: want %g to %g", ErrOutOfRange, lo, hi)
		}
		return f, nil
	}
}

// Service is the standalone service's configuration file.
type Service struct {
	CheckpointDir               string
	LogLevel                    logrus.Level
	MaxCallsPerSecondPerAccount float64
	ShutdownTimeout             time.Duration
	DeliveryStallTimeout        time.Duration
	QueueMaxBytes               Bytes
	HealthListen                string
	Inputs                      []Input
	Sinks                       []SinkConfig
}

// Sink types.
const (
	SinkHEC    = "hec"
	SinkSCS    = "scs"
	SinkStdout = "stdout"
)

// SinkConfig is one entry of sinks:. Secrets (Token, ClientSecret) are read
// from the environment variable or file the entry names, never from the
// YAML, and are never printed.
type SinkConfig struct {
	// Name identifies the sink in logs and errors: sinks[0] (hec).
	Name string
	Type string
	// HEC: URL is scheme://host[:port], the /services/collector[/event]
	// suffix removed.
	URL                string
	Token              string
	Ack                bool
	AckPollInterval    time.Duration
	AckTimeout         time.Duration
	MaxResends         int
	CAFile             string
	InsecureSkipVerify bool
	Gzip               bool
	MaxBatchBytes      Bytes
	MaxBackoff         time.Duration
	Timeout            time.Duration
	// SCS: a static Token, or ClientID, ClientSecret and Scope for the
	// client-credentials flow at AuthURL.
	Tenant       string
	ClientID     string
	ClientSecret string
	Scope        string
	AuthURL      string
}

// Key declares one key of the service's file outside the input entries:
// a top-level key, or a key of a sink entry (SinkTypes says which types).
type Key struct {
	Name        string
	Syntax      string
	Default     any
	DefaultNote string
	Required    bool
	Doc         string
	SinkTypes   []string
	Parse       func(v string, now time.Time) (any, error)
	setService  func(*Service, any)
	setSink     func(*SinkConfig, any)
}

// DefaultText returns the default as written in the file.
func (k Key) DefaultText() string {
	if k.DefaultNote != "" {
		return k.DefaultNote
	}
	return FormatValue(k.Default)
}

// ServiceKeys are the top-level keys of the file (besides inputs: and
// sinks:).
var ServiceKeys = []Key{
	{Name: "checkpoint_dir", Syntax: "<path>", Required: true, Parse: parseText,
		Doc:        "Directory of the checkpoint files, one per input, the same files as the modular input's for a stanza of the same name; created if missing.",
		setService: func(s *Service, v any) { s.CheckpointDir = v.(string) }},
	{Name: "log_level", Syntax: "DEBUG | INFO | WARN | ERROR | FATAL", Default: logrus.InfoLevel, Parse: parseLevel,
		Doc:        "Level of the process's log lines on stderr.",
		setService: func(s *Service, v any) { s.LogLevel = v.(logrus.Level) }},
	{Name: "max_calls_per_second_per_account", Syntax: "<number>", Default: 5.0, Parse: parseRateIn(MinCallsPerSecond, 1000),
		Doc:        "FilterLogEvents calls per second shared by the inputs that read one account and Region (same aws_region, role_arn or credentials, and endpoint_url), retries included; an input's own max_calls_per_second still caps it. The AWS quota is 5 per account and Region, shared with every other reader.",
		setService: func(s *Service, v any) { s.MaxCallsPerSecondPerAccount = v.(float64) }},
	{Name: "shutdown_timeout", Syntax: "<duration>", Default: 20 * time.Second, Parse: durationIn(time.Millisecond, time.Hour),
		Doc:        "On SIGTERM, pulling stops and batches in flight are delivered, or given up, within this time; what was delivered is checkpointed.",
		setService: func(s *Service, v any) { s.ShutdownTimeout = v.(time.Duration) }},
	{Name: "delivery_stall_timeout", Syntax: "<duration>", Default: 5 * time.Minute, Parse: durationIn(time.Millisecond, 24*time.Hour),
		Doc:        "An input whose events have waited this long for the sinks with none of them delivered (HEC: acknowledged) is stalled: an ERROR says so, /healthz answers 503 until delivery resumes (an INFO then), and --once gives up with exit 1. A running service keeps retrying: a HEC that is down or answers 503 is waited for, with back-pressure on the puller.",
		setService: func(s *Service, v any) { s.DeliveryStallTimeout = v.(time.Duration) }},
	{Name: "queue_max_bytes", Syntax: "<size>", Default: Bytes(64 << 20), Parse: bytesIn(1<<10, 16<<30),
		Doc:        "Per input: the most event data held between the puller and the sinks. When the sinks are slower than CloudWatch, the puller waits (back-pressure): nothing is dropped and memory stays bounded.",
		setService: func(s *Service, v any) { s.QueueMaxBytes = v.(Bytes) }},
	{Name: "health_listen", Syntax: "<host:port>", Parse: parseListen,
		Doc:        "Address of the GET /healthz endpoint, e.g. \":8081\": 200 while at least one input completed a poll within 3 × its poll_interval and no input's delivery is stalled (delivery_stall_timeout), else 503. Not served when unset.",
		setService: func(s *Service, v any) { s.HealthListen = v.(string) }},
}

var (
	hecOnly   = []string{SinkHEC}
	scsOnly   = []string{SinkSCS}
	hecAndSCS = []string{SinkHEC, SinkSCS}
)

// SinkKeys are the keys of a sinks: entry besides type.
var SinkKeys = []Key{
	{Name: "url", Syntax: "<URL>", SinkTypes: hecAndSCS, Parse: parseHTTPURL,
		Doc:     "HEC: scheme://host[:port], optionally ending in /services/collector or /services/collector/event (required). SCS: the API's scheme://host[:port] with no path (default https://api.scp.splunk.com); it sets the SDK's Scheme and OverrideHost.",
		setSink: func(s *SinkConfig, v any) { s.URL = v.(string) }},
	{Name: "token_env", Syntax: "<variable>", SinkTypes: hecAndSCS, Parse: parseText,
		Doc: "Environment variable holding the HEC token or the SCS access token. The token itself never goes in the file."},
	{Name: "token_file", Syntax: "<path>", SinkTypes: hecAndSCS, Parse: parseText,
		Doc: "File holding the token (surrounding white space is ignored), e.g. a mounted Kubernetes secret. Exactly one of token_env and token_file (SCS: or client_id)."},
	{Name: "ack", Syntax: "true | false", Default: true, SinkTypes: hecOnly, Parse: parseBool,
		Doc:     "Indexer acknowledgement: a batch counts as delivered only once /services/collector/ack says it was indexed. The token must have indexer acknowledgement on. With false, a 200 with code 0 counts.",
		setSink: func(s *SinkConfig, v any) { s.Ack = v.(bool) }},
	{Name: "ack_poll_interval", Syntax: "<duration>", Default: time.Second, SinkTypes: hecOnly, Parse: durationIn(time.Millisecond, time.Minute),
		Doc:     "How often pending ackIds are queried.",
		setSink: func(s *SinkConfig, v any) { s.AckPollInterval = v.(time.Duration) }},
	{Name: "ack_timeout", Syntax: "<duration>", Default: time.Minute, SinkTypes: hecOnly, Parse: durationIn(time.Millisecond, time.Hour),
		Doc:     "A batch HEC says is not indexed this long after it was sent is sent again, on a new channel (a WARN naming the batch and counting; counted as resent=): Splunk may then index it twice. The wait doubles with each send of the batch (1m, 2m, 4m, …); while the acknowledgement endpoint does not answer, nothing is sent again.",
		setSink: func(s *SinkConfig, v any) { s.AckTimeout = v.(time.Duration) }},
	{Name: "max_resends", Syntax: "<number>", Default: 2, SinkTypes: hecOnly, Parse: intIn(0, 10),
		Doc:     "How many times a batch HEC took is sent again (after its ack_timeout, or after HEC lost the channel it waited on: a restart, a load-balancer fail-over). A batch still not acknowledged when its last copy times out stops the service (exit 1) with an ERROR naming it: HEC keeps taking it and never says it is indexed (acknowledgement broken, indexing blocked, a load balancer without sticky sessions), and more copies would only be more duplicates. With the defaults that is 7 minutes after the first send (1m + 2m + 4m); at most 1 + max_resends copies of an event are sent.",
		setSink: func(s *SinkConfig, v any) { s.MaxResends = v.(int) }},
	{Name: "ca_file", Syntax: "<path>", SinkTypes: hecOnly, Parse: parseText,
		Doc:     "PEM file of the CA that signed the HEC certificate, when it is not a public CA.",
		setSink: func(s *SinkConfig, v any) { s.CAFile = v.(string) }},
	{Name: "insecure_skip_verify", Syntax: "true | false", Default: false, SinkTypes: hecOnly, Parse: parseBool,
		Doc:     "Skip verifying the HEC certificate (a WARN at start). For tests only.",
		setSink: func(s *SinkConfig, v any) { s.InsecureSkipVerify = v.(bool) }},
	{Name: "gzip", Syntax: "true | false", Default: true, SinkTypes: hecOnly, Parse: parseBool,
		Doc:     "Compress request bodies (Content-Encoding: gzip).",
		setSink: func(s *SinkConfig, v any) { s.Gzip = v.(bool) }},
	{Name: "max_batch_bytes", Syntax: "<size>", Default: Bytes(1 << 20), SinkTypes: hecOnly, Parse: bytesIn(1<<10, 512<<20),
		Doc:     "Largest request body before compression (at most 10,000 events a request). HEC's 413 halves the batch; a single event larger than HEC accepts stops the service, naming its eventId.",
		setSink: func(s *SinkConfig, v any) { s.MaxBatchBytes = v.(Bytes) }},
	{Name: "max_backoff", Syntax: "<duration>", Default: 30 * time.Second, SinkTypes: hecAndSCS, Parse: durationIn(time.Millisecond, 10*time.Minute),
		Doc:     "Longest wait between retries of a busy (429, 503), failing (5xx) or unreachable endpoint; retries go on until delivered or shutdown.",
		setSink: func(s *SinkConfig, v any) { s.MaxBackoff = v.(time.Duration) }},
	{Name: "timeout", Syntax: "<duration>", Default: 30 * time.Second, SinkTypes: hecAndSCS, Parse: durationIn(time.Millisecond, 10*time.Minute),
		Doc:     "Deadline of one HTTP request (for SCS, the SDK's Config.Timeout); a request that times out is retried.",
		setSink: func(s *SinkConfig, v any) { s.Timeout = v.(time.Duration) }},
	{Name: "tenant", Syntax: "<string>", SinkTypes: scsOnly, Parse: parseTenant,
		Doc:     "The Splunk Cloud Services tenant (required).",
		setSink: func(s *SinkConfig, v any) { s.Tenant = v.(string) }},
	{Name: "client_id", Syntax: "<string>", SinkTypes: scsOnly, Parse: parseText,
		Doc:     "Client-credentials flow instead of a static token: the client ID (with client_secret_env or client_secret_file, and scope). Recommended for a long-running service: the token is renewed before it expires, while a static token's expiry stops the service.",
		setSink: func(s *SinkConfig, v any) { s.ClientID = v.(string) }},
	{Name: "client_secret_env", Syntax: "<variable>", SinkTypes: scsOnly, Parse: parseText,
		Doc: "Environment variable holding the client secret."},
	{Name: "client_secret_file", Syntax: "<path>", SinkTypes: scsOnly, Parse: parseText,
		Doc: "File holding the client secret."},
	{Name: "scope", Syntax: "<string>", SinkTypes: scsOnly, Parse: parseText,
		Doc:     "The scope to ask for (required with client_id).",
		setSink: func(s *SinkConfig, v any) { s.Scope = v.(string) }},
	{Name: "auth_url", Syntax: "<URL>", Default: "https://auth.scp.splunk.com", SinkTypes: scsOnly, Parse: parseHTTPURL,
		Doc:     "The identity provider of the client-credentials flow.",
		setSink: func(s *SinkConfig, v any) { s.AuthURL = v.(string) }},
}

var (
	inputNameRE = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)
	tenantRE    = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)
)

func parseTenant(v string, _ time.Time) (any, error) {
	if !tenantRE.MatchString(v) {
		return nil, errors.New("not a tenant name (lower-case letters, digits and -)")
	}
	return v, nil
}

func parseListen(v string, _ time.Time) (any, error) {
	host, port, ok := strings.Cut(v, ":")
	if !ok || strings.Contains(port, ":") && !strings.HasPrefix(v, "[") {
		return nil, errors.New("want host:port or :port, e.g. :8081")
	}
	_ = host
	if n, err := strconv.Atoi(port[strings.LastIndex(port, ":")+1:]); err != nil || n < 0 || n > 65535 {
		return nil, errors.New("want host:port or :port, e.g. :8081")
	}
	return v, nil
}

// ParseService reads the service's YAML file. getenv resolves token_env
// and the like; files named by token_file are read. Every problem is
// reported, joined, each a *ParamError whose Param is the key's path.
func ParseService(doc []byte, getenv func(string) string, now time.Time) (Service, error) {
	var s Service
	js, err := yaml.YAMLToJSONStrict(doc)
	if err != nil {
		return s, fmt.Errorf("eksconf: not valid YAML: %w", err)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(js, &top); err != nil || top == nil {
		return s, errors.New("eksconf: the file must be a YAML mapping with checkpoint_dir, inputs and sinks")
	}
	var errs []error
	bad := func(path, value string, err error) {
		errs = append(errs, paramErr(path, value, err))
	}
	keys := sortedKeys(top)
	for _, k := range keys {
		if k == "inputs" || k == "sinks" {
			continue
		}
		if !slices.ContainsFunc(ServiceKeys, func(x Key) bool { return x.Name == k }) {
			bad(k, "", ErrUnknownKey)
		}
	}
	for _, key := range ServiceKeys {
		v, set, err := text(top[key.Name])
		switch {
		case err != nil:
			bad(key.Name, "", err)
		case !set:
			if key.Required {
				bad(key.Name, "", ErrRequired)
			} else if key.Default != nil {
				key.setService(&s, key.Default)
			}
		default:
			val, err := key.Parse(v, now)
			if err != nil {
				bad(key.Name, v, err)
			} else {
				key.setService(&s, val)
			}
		}
	}

	inputs, err := list(top["inputs"])
	if err != nil || len(inputs) == 0 {
		bad("inputs", "", errors.New("want a list of one or more inputs"))
	}
	names := map[string]int{}
	for i, raw := range inputs {
		prefix := fmt.Sprintf("inputs[%d].", i)
		in, err := parseServiceInput(raw, prefix, now)
		if err != nil {
			errs = append(errs, err)
		}
		if in.Stanza != "" {
			if j, dup := names[in.Stanza]; dup {
				bad(prefix+"name", in.Name(), fmt.Errorf("also the name of inputs[%d]: names are unique (each has its own checkpoint)", j))
			}
			names[in.Stanza] = i
		}
		s.Inputs = append(s.Inputs, in)
	}

	sinks, err := list(top["sinks"])
	if err != nil || len(sinks) == 0 {
		bad("sinks", "", errors.New("want a list of one or more sinks (type hec, scs or stdout)"))
	}
	for i, raw := range sinks {
		sc, err := parseSink(raw, fmt.Sprintf("sinks[%d]", i), getenv, now)
		if err != nil {
			errs = append(errs, err)
		}
		s.Sinks = append(s.Sinks, sc)
	}
	return s, errors.Join(errs...)
}

// ReadServiceFile reads and parses the file at path.
func ReadServiceFile(path string, getenv func(string) string, now time.Time) (Service, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Service{}, fmt.Errorf("eksconf: %w", err)
	}
	return ParseService(b, getenv, now)
}

// refusedInputKeys explain why a stanza parameter has no place in an
// entry of inputs:.
var refusedInputKeys = map[string]string{
	"aws_account": "not accepted by the service: it needs splunkd's credential store; use the default credential chain (environment, AWS_PROFILE, the pod's or instance's role) or role_arn",
	"log_level":   "set log_level once at the top level: it is process-wide in the service",
}

func parseServiceInput(raw json.RawMessage, prefix string, now time.Time) (Input, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return Input{}, &ParamError{Param: strings.TrimSuffix(prefix, "."), Err: errors.New("want a mapping of input parameters")}
	}
	var errs []error
	texts := map[string]string{}
	for _, k := range sortedKeys(m) {
		if msg, ok := refusedInputKeys[k]; ok {
			errs = append(errs, &ParamError{Param: prefix + k, Err: errors.New(msg)})
			continue
		}
		p, ok := Lookup(k)
		if k != "name" && (!ok || p.Shells&ShellService == 0) {
			errs = append(errs, &ParamError{Param: prefix + k, Err: ErrUnknownKey})
			continue
		}
		v, set, err := text(m[k])
		if err != nil {
			errs = append(errs, &ParamError{Param: prefix + k, Err: err})
			continue
		}
		if set {
			texts[k] = v
		}
	}
	name := texts["name"]
	stanza := ""
	switch {
	case name == "":
		errs = append(errs, &ParamError{Param: prefix + "name", Err: ErrRequired})
	case !inputNameRE.MatchString(name):
		errs = append(errs, paramErr(prefix+"name", name, errors.New("use letters, digits, '_', '.' and '-'")))
	default:
		stanza = StanzaName(name)
	}
	in, err := parseInput(stanza, ShellService, func(k string) (string, bool) { v, ok := texts[k]; return v, ok }, prefix, now)
	if err != nil {
		errs = append(errs, err)
	}
	return in, errors.Join(errs...)
}

func parseSink(raw json.RawMessage, path string, getenv func(string) string, now time.Time) (SinkConfig, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return SinkConfig{}, &ParamError{Param: path, Err: errors.New("want a mapping with a type")}
	}
	var errs []error
	bad := func(key, value string, err error) {
		errs = append(errs, paramErr(path+"."+key, value, err))
	}
	typ, _, _ := text(m["type"])
	sc := SinkConfig{Type: typ, Name: path + " (" + typ + ")"}
	switch typ {
	case SinkHEC, SinkSCS, SinkStdout:
	case "":
		bad("type", "", fmt.Errorf("%w: hec, scs or stdout", ErrRequired))
		return sc, errors.Join(errs...)
	default:
		bad("type", typ, errors.New("want hec, scs or stdout"))
		return sc, errors.Join(errs...)
	}
	texts := map[string]string{}
	inFile := map[string]bool{} // secrets written in the file, refused above
	for _, k := range sortedKeys(m) {
		if k == "type" {
			continue
		}
		if k == "token" || k == "client_secret" || k == "password" {
			bad(k, "", fmt.Errorf("secrets never go in the file: use %s_env or %s_file", k, k))
			inFile[k] = true
			continue
		}
		i := slices.IndexFunc(SinkKeys, func(x Key) bool { return x.Name == k })
		if i < 0 || !slices.Contains(SinkKeys[i].SinkTypes, typ) {
			bad(k, "", fmt.Errorf("%w for a %s sink", ErrUnknownKey, typ))
			continue
		}
		v, set, err := text(m[k])
		if err != nil {
			bad(k, "", err)
		} else if set {
			texts[k] = v
		}
	}
	for _, key := range SinkKeys {
		if !slices.Contains(key.SinkTypes, typ) || key.setSink == nil {
			continue
		}
		v, ok := texts[key.Name]
		if !ok {
			if key.Default != nil {
				key.setSink(&sc, key.Default)
			}
			continue
		}
		val, err := key.Parse(v, now)
		if err != nil {
			bad(key.Name, v, err)
			continue
		}
		key.setSink(&sc, val)
	}
	secret := func(envKey, fileKey string) (string, bool) {
		env, file := texts[envKey], texts[fileKey]
		switch {
		case env != "" && file != "":
			bad(envKey, "", fmt.Errorf("set %s or %s, not both", envKey, fileKey))
		case env != "":
			if v := strings.TrimSpace(getenv(env)); v != "" {
				return v, true
			}
			// Neither the name nor the path is shown (paramErr leaves out
			// secret-bearing values): a token put there by mistake would be.
			bad(envKey, env, errors.New("the environment variable it names is not set or is empty"))
		case file != "":
			b, err := os.ReadFile(file)
			if err != nil {
				bad(fileKey, file, fmt.Errorf("cannot read the file it names: %w", errors.Unwrap(err)))
			} else if v := strings.TrimSpace(string(b)); v != "" {
				return v, true
			} else {
				bad(fileKey, file, errors.New("the file it names is empty"))
			}
		default:
			return "", false
		}
		return "", true
	}
	// A key given with a refused value was reported above; "required" is
	// only for keys not given at all.
	given := func(k string) bool { _, ok := texts[k]; return ok }
	switch typ {
	case SinkHEC:
		if sc.URL == "" {
			if !given("url") {
				bad("url", "", ErrRequired)
			}
		} else if u, err := hecBase(sc.URL); err != nil {
			bad("url", sc.URL, err)
		} else {
			sc.URL = u
		}
		if tok, ok := secret("token_env", "token_file"); ok {
			sc.Token = tok
		} else {
			if !inFile["token"] { // else the refusal of token: already says where it goes
				bad("token_env", "", fmt.Errorf("%w: token_env or token_file", ErrRequired))
			}
		}
	case SinkSCS:
		if sc.Tenant == "" && !given("tenant") {
			bad("tenant", "", ErrRequired)
		}
		if sc.URL == "" && !given("url") {
			sc.URL = "https://api.scp.splunk.com"
		} else if u, _ := url.Parse(sc.URL); sc.URL != "" && u != nil && strings.Trim(u.Path, "/") != "" {
			bad("url", sc.URL, errors.New("give scheme://host[:port] only, no path: the SDK builds /<tenant>/ingest/... itself"))
		}
		tok, hasTok := secret("token_env", "token_file")
		cs, hasCS := secret("client_secret_env", "client_secret_file")
		switch {
		case hasTok && sc.ClientID != "":
			bad("client_id", "", errors.New("set a token (token_env or token_file) or client credentials (client_id), not both"))
		case hasTok:
			sc.Token = tok
		case sc.ClientID != "":
			if !hasCS && !inFile["client_secret"] {
				bad("client_secret_env", "", fmt.Errorf("%w with client_id: client_secret_env or client_secret_file", ErrRequired))
			}
			if sc.Scope == "" {
				bad("scope", "", fmt.Errorf("%w with client_id", ErrRequired))
			}
			sc.ClientSecret = cs
		case !inFile["token"]:
			bad("token_env", "", fmt.Errorf("%w: token_env, token_file or client_id with client_secret_env|client_secret_file and scope", ErrRequired))
		}
	}
	return sc, errors.Join(errs...)
}

// hecBase reduces a HEC URL to scheme://host[:port].
func hecBase(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", errors.New("not an http(s) URL")
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", errors.New("give scheme://host[:port], optionally with /services/collector[/event]; no query, fragment or credentials")
	}
	switch strings.TrimSuffix(u.Path, "/") {
	case "", "/services/collector", "/services/collector/event":
	default:
		return "", errors.New("the path may only be /services/collector or /services/collector/event")
	}
	return u.Scheme + "://" + u.Host, nil
}

// text turns a JSON value from the YAML into the text a stanza would hold:
// strings as they are, numbers and booleans as written, a list as its
// items joined by commas. null and absence are "not set".
func text(raw json.RawMessage) (string, bool, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", false, nil
	}
	switch raw[0] {
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", false, err
		}
		s = strings.TrimSpace(s)
		return s, s != "", nil
	case '[':
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return "", false, err
		}
		parts := make([]string, 0, len(items))
		for _, it := range items {
			t, set, err := text(it)
			if err != nil || (len(bytes.TrimSpace(it)) > 0 && bytes.TrimSpace(it)[0] == '[') {
				return "", false, errors.New("want a value or a list of values")
			}
			if set {
				parts = append(parts, t)
			}
		}
		if len(parts) == 0 {
			// An empty list is not "unset": log_types: [] asks for nothing.
			return "", false, errors.New("an empty list: give at least one value, or leave the key out for its default")
		}
		return strings.Join(parts, ","), true, nil
	case '{':
		return "", false, errors.New("want a value or a list of values, not a mapping")
	}
	return string(raw), true, nil // a number, true or false, as written
}

func list(raw json.RawMessage) ([]json.RawMessage, error) {
	if len(raw) == 0 {
		return nil, ErrRequired
	}
	var out []json.RawMessage
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, err
	}
	return out, nil
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
