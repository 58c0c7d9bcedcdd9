package enrich

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"
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
	// RiskSignals are the risk model: the score, ATT&CK techniques, risk
	// and threat objects and message of each signal. A signal without a
	// row scores nothing.
	RiskSignals []RiskSignal
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
// characters; everything else matches itself.
func glob(pattern, s string) bool {
	if !strings.Contains(pattern, "*") {
		return pattern == s
	}
	parts := strings.Split(pattern, "*")
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, mid := range parts[1 : len(parts)-1] {
		i := strings.Index(s, mid)
		if i < 0 {
			return false
		}
		s = s[i+len(mid):]
	}
	return len(s) >= len(last) && strings.HasSuffix(s, last)
}
