package eksinput

import "github.com/kubelens/kubelens/src/modinput"

// SchemeName is the modular-input scheme, and so the binary's name.
const SchemeName = "eks_logs"

// Defaults of the optional parameters, as documented in inputs.conf.spec.
const (
	DefaultLogTypes          = "audit"
	DefaultStartFrom         = "-1h"
	DefaultPollInterval      = "30s"
	DefaultOverlap           = "10m"
	DefaultLag               = "60s"
	DefaultMaxCallsPerSecond = 1.0
	DefaultMaxBackoff        = "30s"
	DefaultSourceType        = "aws:cloudwatchlogs:eks"
	// CredentialRealm is the storage/passwords realm of AWS accounts, in
	// the kubelens app's namespace.
	CredentialRealm = "eks_logs_account"
	// CredentialApp is the app whose namespace holds the credentials.
	CredentialApp = "kubelens"
)

// Params declares every stanza parameter once: --scheme prints them, and a
// test checks app/README/inputs.conf.spec documents the same set.
var Params = []modinput.Arg{
	{Name: "aws_region", Title: "AWS Region", RequiredOnCreate: true,
		Description: "Region of the EKS cluster's log group, e.g. us-east-1, us-gov-west-1 or cn-north-1."},
	{Name: "cluster_name", Title: "EKS cluster name",
		Description: "Name of the EKS cluster. Required unless log_group is set; the log group is then /aws/eks/<cluster_name>/cluster."},
	{Name: "log_group", Title: "Log group",
		Description: "CloudWatch Logs log group to read. Default: /aws/eks/<cluster_name>/cluster."},
	{Name: "log_types", Title: "Log types",
		Description: "Comma-separated control-plane log types to read: audit, api, authenticator, controllerManager, scheduler. Default: audit."},
	{Name: "start_from", Title: "Start from",
		Description: "Where a new input (one without a checkpoint) starts: now, beginning, an RFC 3339 time, or a relative time such as -24h or -7d. Default: -1h."},
	{Name: "aws_account", Title: "AWS account",
		Description: "Name of an AWS account stored on the kubelens setup page or with 'eks_logs credentials set --account NAME'. Empty: the AWS SDK's default credential chain (environment, shared config, instance or pod role)."},
	{Name: "role_arn", Title: "IAM role ARN",
		Description: "Role to assume on top of the credentials, e.g. arn:aws:iam::123456789012:role/eks-logs-reader."},
	{Name: "external_id", Title: "External ID",
		Description: "External ID to pass when assuming role_arn."},
	{Name: "endpoint_url", Title: "CloudWatch Logs endpoint URL",
		Description: "Override of the CloudWatch Logs endpoint (e.g. a VPC endpoint). AWS_ENDPOINT_URL_CLOUDWATCH_LOGS and AWS_ENDPOINT_URL are honoured too."},
	{Name: "poll_interval", Title: "Poll interval",
		Description: "Time between polls, e.g. 30s or 2m (a bare number means seconds). Default: 30s."},
	{Name: "overlap", Title: "Overlap",
		Description: "How far behind the watermark each poll re-reads to pick up late events; duplicates are dropped by eventId. Default: 10m."},
	{Name: "lag", Title: "Lag",
		Description: "How far behind now a query window ends, to let CloudWatch ingest recent events. Default: 60s."},
	{Name: "max_calls_per_second", Title: "Max calls per second", DataType: modinput.Number,
		Description: "Upper bound on FilterLogEvents calls per second, retries included (the account-wide quota is 5). Default: 1."},
	{Name: "max_backoff", Title: "Max backoff",
		Description: "Longest wait between retries of a throttled or failed call. Default: 30s."},
	{Name: "log_level", Title: "Log level",
		Description: "Level of this input's lines in splunkd.log: DEBUG, INFO, WARN, ERROR or FATAL. Default: INFO."},
}

// implicitParams are set by splunkd for every input; they are not
// arguments of the scheme.
var implicitParams = map[string]bool{
	"index": true, "host": true, "source": true, "sourcetype": true, "disabled": true, "interval": true,
	"start_by_shell": true, "python.version": true, "run_introspection": true, "queueSize": true,
	"persistentQueueSize": true, "_rcvbuf": true, "_TCP_ROUTING": true, "_SYSLOG_ROUTING": true, "_INDEX_AND_FORWARD_ROUTING": true,
	"outputgroup": true, "passAuth": true,
}

// Scheme is the document --scheme prints.
func Scheme() modinput.Scheme {
	return modinput.Scheme{
		Title: "Amazon EKS control-plane logs (kubelens)",
		Description: "Reads EKS control-plane logs (above all the API-server audit log) from CloudWatch Logs " +
			"without losing or duplicating events across restarts, throttling and late arrival.",
		UseExternalValidation: true,
		UseSingleInstance:     false,
		StreamingMode:         "xml",
		Args:                  Params,
	}
}
