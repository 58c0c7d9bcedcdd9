package enrich

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"

	"github.com/kubelens/kubelens/src/eks"
)

// Tables is the user-editable configuration the lookups provide: how to
// classify user agents and resources, and the allow-lists.
type Tables struct {
	UserAgents  []UserAgentRule
	Sensitivity []SensitivityRule
	// TrustedNetworks are the networks k8s_src_trusted reports.
	TrustedNetworks []netip.Prefix
	// TrustedUsers, TrustedGroups and TrustedUserAgents are the
	// allow-lists of security content's kube_allowed_user_names,
	// kube_allowed_user_groups and kube_allowed_user_agents macros;
	// TrustedImages is kube_allowed_images, and Falco's image allow-lists.
	TrustedUsers, TrustedGroups, TrustedUserAgents, TrustedImages Patterns
	// CustomUserAgents says TrustedUserAgents is the user's own list, not
	// the shipped placeholder, so that it also drives k8s_ua_suspicious.
	CustomUserAgents bool
	// Clusters name the cluster and platform of records whose shape does
	// not: first match wins.
	Clusters []ClusterRule
	// SystemNames are the namespaces, users and API groups that the
	// platforms reserve, by kind: first match wins within a kind.
	SystemNamespaces, SystemUsers, SystemAPIGroups []SystemName
	// RiskSignals are the risk model: the score, ATT&CK techniques, risk
	// and threat objects and message of each signal. A signal without a
	// row scores nothing.
	RiskSignals []RiskSignal
}

// ClusterRule gives a cluster, platform and (EKS) region to records whose
// sourcetype, source, host and index match its patterns: case-insensitive
// globs, "*" or "" matching anything.
type ClusterRule struct {
	Sourcetype, Source, Host, Index Patterns
	Cluster, Platform, Region       string
}

// NewClusterRule validates a rule. The platform is a lower-case word
// (eks, aks, gke, openshift, ... or your own) and the region, when given,
// an AWS region.
func NewClusterRule(sourcetype, source, host, index, cluster, platform, region string) (ClusterRule, error) {
	if platform != "" && !isWord(platform) {
		return ClusterRule{}, fmt.Errorf("enrich: platform %q is not a lower-case word such as %s", platform, strings.Join(Platforms, ", "))
	}
	if region != "" && !eks.IsRegion(region) {
		return ClusterRule{}, fmt.Errorf("enrich: region %q is not an AWS region such as us-east-1", region)
	}
	if cluster == "" && platform == "" && region == "" {
		return ClusterRule{}, fmt.Errorf("enrich: a cluster rule names no cluster, platform or region")
	}
	return ClusterRule{
		Sourcetype: columnPatterns(sourcetype), Source: columnPatterns(source), Host: columnPatterns(host), Index: columnPatterns(index),
		Cluster: cluster, Platform: platform, Region: region,
	}, nil
}

// columnPatterns is a lookup column's pattern: empty or "*" match
// anything, which an empty Patterns says.
func columnPatterns(p string) Patterns {
	if p = strings.TrimSpace(p); p == "" || p == "*" {
		return nil
	}
	return NewPatterns(p)
}

func (r *ClusterRule) matches(sourcetype, source, host, index string) bool {
	ok := func(p Patterns, v string) bool { return len(p) == 0 || p.Match(v) }
	return ok(r.Sourcetype, sourcetype) && ok(r.Source, source) && ok(r.Host, host) && ok(r.Index, index)
}

func isWord(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// The kinds of system names.
const (
	SystemNamespace = "namespace"
	SystemUser      = "user"
	SystemAPIGroup  = "api_group"
)

// SystemName is a name a platform reserves: a namespace (its Class is a
// k8s_namespace_class), a user (its Class is a k8s_user_kind, or empty to
// leave the kind to the rules, and Privileged says it holds full admin
// rights), or an API group. Platform, when set, is the platform the name
// proves (an openshift-* namespace proves OpenShift). Names are globs,
// case-sensitive as Kubernetes names are.
type SystemName struct {
	Kind, Name, Class string
	Privileged        bool
	Platform          string
}

// NewSystemName validates a system name.
func NewSystemName(kind, name, class, privileged, platform string) (SystemName, error) {
	n := SystemName{Kind: kind, Name: name, Class: class, Platform: platform}
	switch kind {
	case SystemNamespace:
		if !slices.Contains(NamespaceClasses, class) {
			return n, fmt.Errorf("enrich: namespace class %q is not one of %s", class, strings.Join(NamespaceClasses, ", "))
		}
	case SystemUser:
		if class != "" && !slices.Contains(UserKinds, class) {
			return n, fmt.Errorf("enrich: user kind %q is not one of %s", class, strings.Join(UserKinds, ", "))
		}
	case SystemAPIGroup:
		if class != "" {
			return n, fmt.Errorf("enrich: an api_group row has no class (got %q)", class)
		}
	default:
		return n, fmt.Errorf("enrich: kind %q is not namespace, user or api_group", kind)
	}
	if name == "" {
		return n, fmt.Errorf("enrich: a %s row without a name", kind)
	}
	switch strings.ToLower(privileged) {
	case "true":
		n.Privileged = true
	case "false", "":
	default:
		return n, fmt.Errorf("enrich: privileged %q is not true, false or empty", privileged)
	}
	if n.Privileged && kind != SystemUser {
		return n, fmt.Errorf("enrich: only users are privileged")
	}
	if platform != "" && !isWord(platform) {
		return n, fmt.Errorf("enrich: platform %q is not a lower-case word", platform)
	}
	return n, nil
}

// AddSystemName files a system name under its kind.
func (t *Tables) AddSystemName(n SystemName) {
	switch n.Kind {
	case SystemNamespace:
		t.SystemNamespaces = append(t.SystemNamespaces, n)
	case SystemUser:
		t.SystemUsers = append(t.SystemUsers, n)
	case SystemAPIGroup:
		t.SystemAPIGroups = append(t.SystemAPIGroups, n)
	}
}

// systemName returns the first of names matching s.
func systemName(names []SystemName, s string) *SystemName {
	if s == "" {
		return nil
	}
	for i := range names {
		if glob(names[i].Name, s) {
			return &names[i]
		}
	}
	return nil
}

// UserAgentRule classifies user agents that match its pattern.
type UserAgentRule struct {
	re       *regexp.Regexp
	Tool     string
	Category string
}

// NewUserAgentRule compiles a rule. The category must be one of
// UACategories.
func NewUserAgentRule(pattern, tool, category string) (UserAgentRule, error) {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return UserAgentRule{}, fmt.Errorf("enrich: pattern %q: %w", pattern, err)
	}
	if tool == "" {
		return UserAgentRule{}, fmt.Errorf("enrich: pattern %q has no tool", pattern)
	}
	if !slices.Contains(UACategories, category) {
		return UserAgentRule{}, fmt.Errorf("enrich: category %q is not one of %s", category, strings.Join(UACategories, ", "))
	}
	return UserAgentRule{re: re, Tool: tool, Category: category}, nil
}

// SensitivityRule gives a sensitivity to requests whose resource,
// subresource, action (k8s_action), namespace and name match. In each
// column "*" or "" matches anything, "-" matches only an empty value, and
// other values are globs where "*" matches any run of characters.
type SensitivityRule struct {
	Resource, Subresource, Action, Namespace, Name string
	Sensitivity                                    string
}

// NewSensitivityRule validates a rule.
func NewSensitivityRule(resource, subresource, action, namespace, name, sensitivity string) (SensitivityRule, error) {
	if !slices.Contains(Sensitivities, sensitivity) {
		return SensitivityRule{}, fmt.Errorf("enrich: sensitivity %q is not one of %s", sensitivity, strings.Join(Sensitivities, ", "))
	}
	if a := action; a != "" && a != "*" && a != "-" && !slices.Contains(Actions, a) {
		return SensitivityRule{}, fmt.Errorf("enrich: action %q is not one of %s", a, strings.Join(Actions, ", "))
	}
	return SensitivityRule{Resource: resource, Subresource: subresource, Action: action, Namespace: namespace, Name: name, Sensitivity: sensitivity}, nil
}

func (r *SensitivityRule) matches(resource, subresource, action, namespace, name string) bool {
	return columnMatch(r.Resource, resource) && columnMatch(r.Subresource, subresource) &&
		columnMatch(r.Action, action) && columnMatch(r.Namespace, namespace) && columnMatch(r.Name, name)
}

func columnMatch(pattern, v string) bool {
	switch pattern {
	case "", "*":
		return true
	case "-":
		return v == ""
	}
	return glob(pattern, v)
}

// Patterns is an allow-list of case-insensitive globs ("*" matches any run
// of characters), matched as Splunk's search matches field=value.
type Patterns []string

// NewPatterns lower-cases and keeps the non-empty patterns.
func NewPatterns(list ...string) Patterns {
	var p Patterns
	for _, s := range list {
		if s = strings.TrimSpace(s); s != "" {
			p = append(p, strings.ToLower(s))
		}
	}
	return p
}

// Match reports whether s matches any pattern.
func (p Patterns) Match(s string) bool {
	if len(p) == 0 {
		return false
	}
	s = strings.ToLower(s)
	for _, pat := range p {
		if glob(pat, s) {
			return true
		}
	}
	return false
}

// MatchAny reports whether any of vals matches.
func (p Patterns) MatchAny(vals []string) bool {
	for _, v := range vals {
		if p.Match(v) {
			return true
		}
	}
	return false
}

// glob matches s against a pattern where "*" matches any run of
// characters; everything else matches itself. It allocates nothing: it
// runs on every event's namespace and user.
func glob(pattern, s string) bool {
	star := strings.IndexByte(pattern, '*')
	if star < 0 {
		return pattern == s
	}
	if !strings.HasPrefix(s, pattern[:star]) {
		return false
	}
	s, pattern = s[star:], pattern[star+1:]
	for {
		star = strings.IndexByte(pattern, '*')
		if star < 0 {
			return strings.HasSuffix(s, pattern)
		}
		i := strings.Index(s, pattern[:star])
		if i < 0 {
			return false
		}
		s, pattern = s[i+star:], pattern[star+1:]
	}
}
