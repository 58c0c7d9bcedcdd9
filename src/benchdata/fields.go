package benchdata

// Field is a field splunkd sends for an EKS audit event: one of the
// default fields every event has, or one Splunk's search-time JSON
// extraction (KV_MODE=json) derives from _raw. Request and response
// objects stay inside _raw: their members are not extracted, which keeps
// the columns at the set a typical audit search carries.
type Field uint8

// The fields in splunkd's column order: the default fields, the extracted
// ones in the order of the event's JSON, then eventtype and _serial.
const (
	FieldTime Field = iota
	FieldIndex
	FieldRaw
	FieldHost
	FieldSource
	FieldSourcetype
	FieldCD
	FieldBkt
	FieldLinecount
	FieldSplunkServer
	FieldSI
	FieldIndextime
	FieldKind
	FieldAPIVersion
	FieldLevel
	FieldAuditID
	FieldStage
	FieldRequestURI
	FieldVerb
	FieldUsername
	FieldUID
	FieldGroups
	FieldExtraAccessKeyID
	FieldExtraARN
	FieldExtraPodName
	FieldExtraCanonicalARN
	FieldExtraPrincipalID
	FieldExtraSessionName
	FieldSourceIPs
	FieldUserAgent
	FieldResource
	FieldNamespace
	FieldName
	FieldAPIGroup
	FieldObjectAPIVersion
	FieldSubresource
	FieldStatus
	FieldMessage
	FieldReason
	FieldCode
	FieldRequestReceived
	FieldStageTimestamp
	FieldDecision
	FieldAuthzReason
	FieldEventtype
	FieldSerial
	NumFields int = iota
)

var fieldNames = [NumFields]string{
	FieldTime:              "_time",
	FieldIndex:             "index",
	FieldRaw:               "_raw",
	FieldHost:              "host",
	FieldSource:            "source",
	FieldSourcetype:        "sourcetype",
	FieldCD:                "_cd",
	FieldBkt:               "_bkt",
	FieldLinecount:         "linecount",
	FieldSplunkServer:      "splunk_server",
	FieldSI:                "_si",
	FieldIndextime:         "_indextime",
	FieldKind:              "kind",
	FieldAPIVersion:        "apiVersion",
	FieldLevel:             "level",
	FieldAuditID:           "auditID",
	FieldStage:             "stage",
	FieldRequestURI:        "requestURI",
	FieldVerb:              "verb",
	FieldUsername:          "user.username",
	FieldUID:               "user.uid",
	FieldGroups:            "user.groups{}",
	FieldExtraAccessKeyID:  "user.extra.accessKeyId{}",
	FieldExtraARN:          "user.extra.arn{}",
	FieldExtraPodName:      "user.extra.authentication.kubernetes.io/pod-name{}",
	FieldExtraCanonicalARN: "user.extra.canonicalArn{}",
	FieldExtraPrincipalID:  "user.extra.principalId{}",
	FieldExtraSessionName:  "user.extra.sessionName{}",
	FieldSourceIPs:         "sourceIPs{}",
	FieldUserAgent:         "userAgent",
	FieldResource:          "objectRef.resource",
	FieldNamespace:         "objectRef.namespace",
	FieldName:              "objectRef.name",
	FieldAPIGroup:          "objectRef.apiGroup",
	FieldObjectAPIVersion:  "objectRef.apiVersion",
	FieldSubresource:       "objectRef.subresource",
	FieldStatus:            "responseStatus.status",
	FieldMessage:           "responseStatus.message",
	FieldReason:            "responseStatus.reason",
	FieldCode:              "responseStatus.code",
	FieldRequestReceived:   "requestReceivedTimestamp",
	FieldStageTimestamp:    "stageTimestamp",
	FieldDecision:          "annotations.authorization.k8s.io/decision",
	FieldAuthzReason:       "annotations.authorization.k8s.io/reason",
	FieldEventtype:         "eventtype",
	FieldSerial:            "_serial",
}

// Name returns the field's Splunk name, e.g. "user.groups{}".
func (f Field) Name() string { return fieldNames[f] }

// FirstExtracted and LastExtracted bound the fields extracted from _raw.
const (
	FirstExtracted = FieldKind
	LastExtracted  = FieldAuthzReason
)

// extracted maps an extracted field's name to the field.
var extracted = func() map[string]Field {
	m := map[string]Field{}
	for f := FirstExtracted; f <= LastExtracted; f++ {
		m[f.Name()] = f
	}
	return m
}()

// Layout is the set of fields a stream carries.
type Layout uint8

const (
	// Full carries every field, as a search without "| fields" does.
	Full Layout = iota
	// RawOnly carries _time, _raw, source and sourcetype, as after
	// "| fields _time _raw source sourcetype".
	RawOnly
)

// String returns "full" or "raw-only".
func (l Layout) String() string {
	if l == RawOnly {
		return "raw-only"
	}
	return "full"
}

// Fields returns the layout's fields in column order.
func (l Layout) Fields() []Field {
	if l == RawOnly {
		return []Field{FieldTime, FieldRaw, FieldSource, FieldSourcetype}
	}
	all := make([]Field, NumFields)
	for i := range all {
		all[i] = Field(i)
	}
	return all
}
