package eksconf

import (
	"time"

	"github.com/kubelens/kubelens/src/eks"
	"github.com/kubelens/kubelens/src/modinput"
	"github.com/sirupsen/logrus"
)

// SchemeName is the modular-input scheme, and so the binary's name.
const SchemeName = "eks_logs"

// Shell is a set of the places a parameter is accepted.
type Shell int

// Where a parameter is accepted.
const (
	// ShellStanza: an inputs.conf stanza, declared in --scheme and the spec.
	ShellStanza Shell = 1 << iota
	// ShellImplicit: an inputs.conf setting splunkd defines for every input
	// (index, host, sourcetype); not declared in --scheme.
	ShellImplicit
	// ShellService: an entry of the service's inputs: list.
	ShellService
)

// Param declares one input parameter, once, for every shell: the stanza,
// --scheme, app/README/inputs.conf.spec, the README and the service's YAML.
type Param struct {
	// Name is the key in a stanza and in the YAML file.
	Name string
	// Title is the label Splunk Web shows.
	Title string
	// Syntax is the value syntax as the spec writes it, e.g. "<duration>".
	Syntax string
	// Doc says what the parameter does, in sentences; the spec, --scheme
	// and the README print it.
	Doc string
	// Default is the typed value used when the parameter is not set (a
	// string, time.Duration, float64, []eks.LogType, StartFrom or
	// logrus.Level), or nil when there is none; DefaultText writes it.
	Default any
	// DefaultNote replaces DefaultText in the documentation when the
	// default depends on something else (log_group, host).
	DefaultNote string
	// Required says a stanza or YAML entry must set it (cluster_name is
	// required unless log_group is set: Doc says so, Required is false).
	Required bool
	// Type is the data type splunkd shows.
	Type modinput.DataType
	// Shells says where the parameter is accepted.
	Shells Shell
	// Parse turns a value, as text, into the typed value or an error that
	// says what is wanted. now is the clock start_from is checked against.
	Parse func(v string, now time.Time) (any, error)
	set   func(in *Input, v any)
}

// DefaultText returns the default as it would be written in a stanza, or
// DefaultNote, or "" when there is no default.
func (p Param) DefaultText() string {
	if p.DefaultNote != "" {
		return p.DefaultNote
	}
	return FormatValue(p.Default)
}

// Check validates one value of the parameter exactly as an input does
// (cross-parameter rules, such as external_id needing role_arn, are left
// to ParseStanza).
func (p Param) Check(v string) error {
	if _, err := p.Parse(v, time.Now()); err != nil {
		return paramErr(p.Name, v, err)
	}
	return nil
}

// Defaults of the optional parameters, as documented.
const (
	DefaultSourceType = "aws:cloudwatchlogs:eks"
	// CredentialRealm is the storage/passwords realm of AWS accounts, in
	// the kubelens app's namespace.
	CredentialRealm = "eks_logs_account"
	// CredentialApp is the app whose namespace holds the credentials.
	CredentialApp = "kubelens"
	// AccountNamePattern is what an AWS account name (aws_account, and
	// the username of its storage/passwords entry) may be: no colon,
	// slash or space, so that the entry's name realm:account: needs no
	// escaping in a URL. The setup page applies the same pattern.
	AccountNamePattern = `^[A-Za-z0-9][A-Za-z0-9_.@-]{0,127}$`
)

// Params lists every input parameter, in the order the documentation
// shows them.
var Params = []Param{
	{Name: "aws_region", Title: "AWS Region", Syntax: "<string>", Required: true, Shells: ShellStanza | ShellService, Parse: parseRegion,
		Doc: "The AWS Region of the cluster's log group, in any partition: for example us-east-1, eu-west-1, us-gov-west-1, cn-north-1.",
		set: func(in *Input, v any) { in.Region = v.(string) }},
	{Name: "cluster_name", Title: "EKS cluster name", Syntax: "<string>", Shells: ShellStanza | ShellService, Parse: parseCluster,
		Doc: "The EKS cluster name; required unless log_group is set. The log group read is then /aws/eks/<cluster_name>/cluster.",
		set: func(in *Input, v any) { in.ClusterName = v.(string) }},
	{Name: "log_group", Title: "Log group", Syntax: "<string>", DefaultNote: "/aws/eks/<cluster_name>/cluster", Shells: ShellStanza | ShellService, Parse: parseLogGroup,
		Doc: "The CloudWatch Logs log group to read.",
		set: func(in *Input, v any) { in.LogGroup = v.(string) }},
	{Name: "log_types", Title: "Log types", Syntax: "<comma-separated list>", Default: []eks.LogType{eks.LogTypes[0]}, Shells: ShellStanza | ShellService, Parse: parseLogTypes,
		Doc: "Which control-plane logs to read, any of: " + logTypesDoc() + ". Each is one FilterLogEvents query on its stream prefix; \"api\" drops the audit streams that its prefix also matches. A list naming no log type (\",\") is refused; an empty value means the default, as for every parameter.",
		set: func(in *Input, v any) { in.LogTypes = v.([]eks.LogType) }},
	{Name: "start_from", Title: "Start from", Syntax: "now | beginning | <RFC 3339 time> | -<duration>", Default: StartFrom{Kind: StartRelative, Offset: -time.Hour, text: "-1h"},
		Shells: ShellStanza | ShellService, Parse: parseStartFrom,
		Doc: "Where the input starts when its checkpoint has no cursor for what it reads yet (first run, after \"eks_logs checkpoint reset\", or after aws_region, role_arn, aws_account, endpoint_url, the log group or a log type changed); ignored once there is one. Nothing older is ever read, not even by the overlap. Examples: now, beginning, 2024-05-01T00:00:00Z, -24h, -7d.",
		set: func(in *Input, v any) { in.StartFrom = v.(StartFrom) }},
	{Name: "aws_account", Title: "AWS account", Syntax: "<string>", DefaultNote: "the AWS SDK's default credential chain", Shells: ShellStanza, Parse: parseAccount,
		Doc: "The name of an AWS access key stored in splunkd's storage/passwords (app kubelens, realm eks_logs_account) on the kubelens setup page or with \"eks_logs credentials set --account <name>\". When not set, the AWS SDK's default credential chain applies: environment variables, shared config and credentials files, then the EC2 instance or EKS pod role of the host. Not accepted by the service, which has no splunkd: it uses the default chain, AWS_PROFILE or role_arn.",
		set: func(in *Input, v any) { in.AWSAccount = v.(string) }},
	{Name: "role_arn", Title: "IAM role ARN", Syntax: "<string>", Shells: ShellStanza | ShellService, Parse: parseRoleARN,
		Doc: "An IAM role to assume on top of the credentials, e.g. arn:aws:iam::123456789012:role/eks-logs-reader, in the partition of aws_region (arn:aws-cn: for cn-north-1, arn:aws-us-gov: for us-gov-west-1). The role needs logs:FilterLogEvents on the log group.",
		set: func(in *Input, v any) { in.RoleARN = v.(string) }},
	{Name: "external_id", Title: "External ID", Syntax: "<string>", Shells: ShellStanza | ShellService, Parse: parseExternalID,
		Doc: "The external ID to present when assuming role_arn. Only valid with role_arn.",
		set: func(in *Input, v any) { in.ExternalID = v.(string) }},
	{Name: "endpoint_url", Title: "CloudWatch Logs endpoint URL", Syntax: "<URL>", Shells: ShellStanza | ShellService, Parse: parseHTTPURL,
		Doc: "Overrides the CloudWatch Logs endpoint, e.g. an interface VPC endpoint; no credentials (user:password@) in it. The standard AWS_ENDPOINT_URL_CLOUDWATCH_LOGS and AWS_ENDPOINT_URL environment variables are honoured as well.",
		set: func(in *Input, v any) { in.EndpointURL = v.(string) }},
	{Name: "poll_interval", Title: "Poll interval", Syntax: "<duration>", Default: 30 * time.Second, Shells: ShellStanza | ShellService, Parse: durationIn(time.Millisecond, 24*time.Hour),
		Doc: "Time between polls. Durations are written 30s, 2m, 1h, 7d, 500ms, or as a bare number of seconds.",
		set: func(in *Input, v any) { in.PollInterval = v.(time.Duration) }},
	{Name: "overlap", Title: "Overlap", Syntax: "<duration>", Default: 10 * time.Minute, Shells: ShellStanza | ShellService, Parse: durationIn(0, 14*24*time.Hour),
		Doc: "How far back each late sweep (see sweep_interval) re-reads, so that events CloudWatch ingests late are still picked up; events already emitted are dropped by their eventId. Events arriving later than lag + overlap after their timestamp can be missed. Raised, it takes effect as the remembered eventIds come to cover it (after the new overlap has passed), so that no event is emitted twice; lowered, from the next sweep on (a sweep that was cut short is finished first). The sweeps cost calls, and the checkpoint holds the eventIds of overlap + sweep_interval, in proportion to the event rate (see Sizing against the 5 calls/s quota). At most 14d.",
		set: func(in *Input, v any) { in.Overlap = v.(time.Duration) }},
	{Name: "sweep_interval", Title: "Late sweep interval", Syntax: "<duration>", Default: 5 * time.Minute, Shells: ShellStanza | ShellService, Parse: durationIn(0, 14*24*time.Hour),
		Doc: "How often a poll is a late sweep: it re-reads from overlap before where the previous sweep's window ended, to pick up events CloudWatch ingested after the input had passed their timestamp. The polls in between read from the watermark on only. An event ingested up to lag + overlap after its timestamp is emitted at the latest by the first sweep that begins after its ingestion and completes, so a late event waits up to about sweep_interval + poll_interval, an on-time one poll_interval. With sweep_interval at least poll_interval, each event is read about 2 + overlap / sweep_interval times in all; 0 (or less than poll_interval) makes every poll a sweep, which reads each event about (overlap + poll_interval) / poll_interval times (see Sizing against the 5 calls/s quota). At most 14d.",
		set: func(in *Input, v any) { in.SweepInterval = v.(time.Duration) }},
	{Name: "lag", Title: "Lag", Syntax: "<duration>", Default: time.Minute, Shells: ShellStanza | ShellService, Parse: durationIn(0, 24*time.Hour),
		Doc: "How far behind now a query window ends, leaving CloudWatch time to ingest recent events.",
		set: func(in *Input, v any) { in.Lag = v.(time.Duration) }},
	{Name: "max_calls_per_second", Title: "Max calls per second", Syntax: "<number>", Default: 1.0, Type: modinput.Number, Shells: ShellStanza | ShellService, Parse: parseCallRate,
		Doc: "Upper bound on FilterLogEvents calls per second made by this input, retries included, from 0.01 (one call per 100 s) to 1000. The FilterLogEvents quota (5 per second) is shared by the whole AWS account and Region: keep the sum over the inputs reading one account and Region at 5 or less.",
		set: func(in *Input, v any) { in.MaxCallsPerSecond = v.(float64) }},
	{Name: "max_backoff", Title: "Max backoff", Syntax: "<duration>", Default: 30 * time.Second, Shells: ShellStanza | ShellService, Parse: durationIn(time.Millisecond, 10*time.Minute),
		Doc: "The longest wait between retries of a throttled or failed call.",
		set: func(in *Input, v any) { in.MaxBackoff = v.(time.Duration) }},
	{Name: "call_timeout", Title: "Call timeout", Syntax: "<duration>", Default: 30 * time.Second, Shells: ShellStanza | ShellService, Parse: durationIn(time.Millisecond, 10*time.Minute),
		Doc: "How long one FilterLogEvents attempt may take. An endpoint that accepts a request and never answers is given up on after this, with a WARN, and the call is retried.",
		set: func(in *Input, v any) { in.CallTimeout = v.(time.Duration) }},
	{Name: "log_level", Title: "Log level", Syntax: "DEBUG | INFO | WARN | ERROR | FATAL", Default: logrus.InfoLevel, Shells: ShellStanza, Parse: parseLevel,
		Doc: "The level of this input's lines in splunkd.log (index=_internal sourcetype=splunkd component=ExecProcessor). The service has one process-wide log_level instead.",
		set: func(in *Input, v any) { in.LogLevel = v.(logrus.Level) }},
	{Name: "index", Title: "Index", Syntax: "<string>", DefaultNote: "the token's default index", Shells: ShellImplicit | ShellService, Parse: parseText,
		Doc: "The index events go to. In a stanza, the usual inputs.conf setting; in the service, when unset, HEC and SCS events carry no index and the token's default applies.",
		set: func(in *Input, v any) { in.Index = v.(string) }},
	{Name: "host", Title: "Host", Syntax: "<string>", DefaultNote: "the machine's host name", Shells: ShellImplicit | ShellService, Parse: parseText,
		Doc: "The host field of the events. In a stanza, the usual inputs.conf setting.",
		set: func(in *Input, v any) { in.Host = v.(string) }},
	{Name: "sourcetype", Title: "Source type", Syntax: "<string>", Default: DefaultSourceType, Shells: ShellImplicit | ShellService, Parse: parseText,
		Doc: "The sourcetype of the events. The kubelens and ESCU searches expect aws:cloudwatchlogs:eks. source is not configurable: it is always <region>:<log group>:<log stream>.",
		set: func(in *Input, v any) { in.SourceType = v.(string) }},
}

func logTypesDoc() string {
	var s string
	for i, t := range eks.LogTypes {
		if i > 0 {
			s += ", "
		}
		s += t.Name + " (" + t.StreamPrefix + ")"
	}
	return s
}

// Lookup returns the declaration of a parameter.
func Lookup(name string) (Param, bool) {
	for _, p := range Params {
		if p.Name == name {
			return p, true
		}
	}
	return Param{}, false
}

// SchemeArgs returns the arguments --scheme declares: the stanza
// parameters, without the ones splunkd defines itself.
func SchemeArgs() []modinput.Arg {
	var out []modinput.Arg
	for _, p := range Params {
		if p.Shells&ShellStanza == 0 {
			continue
		}
		desc := p.Doc
		if d := p.DefaultText(); d != "" {
			desc += " Default: " + d + "."
		}
		dt := p.Type
		if dt == "" {
			dt = modinput.String
		}
		out = append(out, modinput.Arg{Name: p.Name, Title: p.Title, Description: desc, DataType: dt, RequiredOnCreate: p.Required})
	}
	return out
}
