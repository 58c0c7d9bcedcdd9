package enrich

// Input is a Splunk field enrichment reads. A Record is asked for inputs
// by number, so that a table can resolve the names to columns once per
// chunk rather than once per event.
type Input int

// The inputs: the event's JSON and the fields Splunk's JSON extraction
// (KV_MODE=json) names after it.
const (
	InRaw Input = iota
	InSource
	InAuditID
	InStage
	InLevel
	InVerb
	InRequestURI
	InUserAgent
	InUsername
	InUID
	InGroups
	InExtraARN
	InExtraCanonicalARN
	InExtraAccessKeyID
	InExtraSessionName
	InExtraPrincipalID
	InExtraPodName
	InSourceIPs
	InImpersonatedUsername
	InResource
	InNamespace
	InName
	InSubresource
	InAPIGroup
	InResponseCode
	InResponseReason
	InResponseStatus
	InResponseMessage
	InDecision
	InReason
	InAuditViolations
	InLegacyToken
	InRequestReceived
	InStageTimestamp
	InLastApplied
	InRequestMessage
	InRequestSpecType
	numInputs
)

// InputNames are the Splunk field names of the inputs.
var InputNames = [numInputs]string{
	InRaw:                  "_raw",
	InSource:               "source",
	InAuditID:              "auditID",
	InStage:                "stage",
	InLevel:                "level",
	InVerb:                 "verb",
	InRequestURI:           "requestURI",
	InUserAgent:            "userAgent",
	InUsername:             "user.username",
	InUID:                  "user.uid",
	InGroups:               "user.groups{}",
	InExtraARN:             "user.extra.arn{}",
	InExtraCanonicalARN:    "user.extra.canonicalArn{}",
	InExtraAccessKeyID:     "user.extra.accessKeyId{}",
	InExtraSessionName:     "user.extra.sessionName{}",
	InExtraPrincipalID:     "user.extra.principalId{}",
	InExtraPodName:         "user.extra.authentication.kubernetes.io/pod-name{}",
	InSourceIPs:            "sourceIPs{}",
	InImpersonatedUsername: "impersonatedUser.username",
	InResource:             "objectRef.resource",
	InNamespace:            "objectRef.namespace",
	InName:                 "objectRef.name",
	InSubresource:          "objectRef.subresource",
	InAPIGroup:             "objectRef.apiGroup",
	InResponseCode:         "responseStatus.code",
	InResponseReason:       "responseStatus.reason",
	InResponseStatus:       "responseStatus.status",
	InResponseMessage:      "responseStatus.message",
	InDecision:             "annotations.authorization.k8s.io/decision",
	InReason:               "annotations.authorization.k8s.io/reason",
	InAuditViolations:      "annotations.pod-security.kubernetes.io/audit-violations",
	InLegacyToken:          "annotations.authentication.k8s.io/legacy-token",
	InRequestReceived:      "requestReceivedTimestamp",
	InStageTimestamp:       "stageTimestamp",
	InLastApplied:          "requestObject.metadata.annotations.kubectl.kubernetes.io/last-applied-configuration",
	InRequestMessage:       "requestObject.message",
	InRequestSpecType:      "requestObject.spec.type",
}

// NumInputs is the number of inputs.
const NumInputs = int(numInputs)
