package enrich

// Group names a set of output fields that fields= selects together.
type Group string

// The field groups, in the order the README lists them.
const (
	GroupIdentity  Group = "identity"
	GroupSource    Group = "source"
	GroupUserAgent Group = "useragent"
	GroupTarget    Group = "target"
	GroupOutcome   Group = "outcome"
	GroupEKS       Group = "eks"
	GroupDetection Group = "detections"
	GroupHygiene   Group = "hygiene"
)

// Groups lists every group.
var Groups = []Group{GroupIdentity, GroupSource, GroupUserAgent, GroupTarget, GroupOutcome, GroupEKS, GroupDetection, GroupHygiene}

// FieldID identifies an output field; it indexes Catalogue and Output.
type FieldID int

// The output fields.
const (
	FieldUser FieldID = iota
	FieldK8sUser
	FieldK8sUserKind
	FieldSrcIP
	FieldK8sSrcIPClass
	FieldEKSRegion
	FieldEKSLogGroup
	FieldEKSLogStream
	FieldEKSClusterName
	FieldEKSLogType
	numFields
)

// Field describes one output field.
type Field struct {
	ID    FieldID
	Name  string
	Group Group
	// CIM fields are filled only where the input has no value, so an
	// existing extraction is never overwritten.
	CIM bool
	// Multi fields may hold several values.
	Multi bool
	// Values is the closed vocabulary of a classifying field.
	Values []string
	Desc   string
}

// Catalogue declares every output field, in output order.
var Catalogue = [numFields]Field{
	FieldUser:           {Name: "user", Group: GroupIdentity, CIM: true, Desc: "CIM user: the effective user name (the impersonated user when there is one, else user.username)."},
	FieldK8sUser:        {Name: "k8s_user", Group: GroupIdentity, Desc: "The authenticated Kubernetes user name, user.username."},
	FieldK8sUserKind:    {Name: "k8s_user_kind", Group: GroupIdentity, Values: userKinds, Desc: "What kind of principal made the request, first match wins: anonymous, service_account, node, eks_managed, control_plane, iam_mapped, user."},
	FieldSrcIP:          {Name: "src_ip", Group: GroupSource, CIM: true, Desc: "CIM src_ip: the first of sourceIPs (client-supplied X-Forwarded-For entries come first)."},
	FieldK8sSrcIPClass:  {Name: "k8s_src_ip_class", Group: GroupSource, Values: ipClasses, Desc: "Class of src_ip: loopback, link_local, private (RFC 1918, CGNAT 100.64/10, fc00::/7), public, or other (multicast, unspecified, not an IP)."},
	FieldEKSRegion:      {Name: "eks_region", Group: GroupEKS, Desc: "AWS region, from source <region>:/aws/eks/<cluster>/cluster:<stream>."},
	FieldEKSLogGroup:    {Name: "eks_log_group", Group: GroupEKS, Desc: "CloudWatch Logs log group, from source."},
	FieldEKSLogStream:   {Name: "eks_log_stream", Group: GroupEKS, Desc: "CloudWatch Logs log stream, from source."},
	FieldEKSClusterName: {Name: "eks_cluster_name", Group: GroupEKS, Desc: "EKS cluster name, from the log group in source."},
	FieldEKSLogType:     {Name: "eks_log_type", Group: GroupEKS, Values: logTypes, Desc: "EKS control-plane log type, from the stream name: audit, api, authenticator, controllerManager, scheduler, cloudControllerManager."},
}

func init() {
	for i := range Catalogue {
		Catalogue[i].ID = FieldID(i)
	}
}

// Closed vocabularies.
var (
	userKinds = []string{"anonymous", "service_account", "node", "eks_managed", "control_plane", "iam_mapped", "user"}
	ipClasses = []string{"loopback", "link_local", "private", "public", "other"}
	logTypes  = []string{"audit", "api", "authenticator", "controllerManager", "scheduler", "cloudControllerManager"}
)
