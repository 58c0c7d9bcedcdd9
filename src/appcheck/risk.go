package appcheck

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/kubelens/kubelens/src/spl"
)

// riskObjectTypes and threatObjectTypes are the types Enterprise Security
// knows for risk and threat objects.
var (
	riskObjectTypes   = []string{"user", "system", "other"}
	threatObjectTypes = []string{"ip_address", "domain", "url", "email_address", "file_name", "file_hash", "process", "process_name", "certificate_common_name", "registry_path", "http_user_agent", "signature", "command", "other"}
	techniqueRE       = regexp.MustCompile(`^T[0-9]{4}(\.[0-9]{3})?$`)
	tokenRE           = regexp.MustCompile(`\$([^$\s]+)\$`)
)

// riskEntry is one element of action.risk.param._risk.
type riskEntry struct {
	RiskObjectField   *string  `json:"risk_object_field"`
	RiskObjectType    *string  `json:"risk_object_type"`
	RiskScore         *float64 `json:"risk_score"`
	ThreatObjectField *string  `json:"threat_object_field"`
	ThreatObjectType  *string  `json:"threat_object_type"`
}

// checkRisk: the Enterprise Security settings of every saved search are
// well formed and name fields the search's results carry: a search with
// action.risk = 1 has a _risk that parses as a list of risk objects (field,
// type, score from 0 to 100) and threat objects (field, type); every field
// it names, and every $field$ of _risk_message, is a field of the results
// and, if it is one of kubeenrich's, one the search's kubeenrich adds (a
// fields= that leaves out the cluster group drops k8s_cluster);
// action.correlationsearch.annotations is a JSON object whose mitre_attack
// lists ATT&CK technique ids.
func checkRisk(a *app, _ Options) []Finding {
	f := a.conf("savedsearches")
	if f == nil {
		return nil
	}
	lookup := a.macroLookup()
	var out []Finding
	for _, s := range f.Stanzas {
		bad := func(format string, args ...any) {
			out = append(out, Finding{Check: CheckRisk, Path: f.Name, Msg: fmt.Sprintf("line %d: [%s] ", s.Line, s.Name) + fmt.Sprintf(format, args...)})
		}
		if ann, ok := s.Get("action.correlationsearch.annotations"); ok {
			var v map[string]any
			if err := json.Unmarshal([]byte(ann), &v); err != nil {
				bad("action.correlationsearch.annotations is not a JSON object: %v", err)
			} else if m, ok := v["mitre_attack"]; ok {
				list, ok := m.([]any)
				if !ok {
					bad("action.correlationsearch.annotations: mitre_attack is not a list")
				}
				for _, t := range list {
					if id, ok := t.(string); !ok || !techniqueRE.MatchString(id) {
						bad("action.correlationsearch.annotations: mitre_attack holds %v, not an ATT&CK technique id", t)
					}
				}
			}
		}
		riskOn := s.Value("action.risk") == "1" || s.Value("action.risk") == "true"
		raw, hasRisk := s.Get("action.risk.param._risk")
		if !hasRisk {
			if riskOn {
				bad("action.risk = 1 without action.risk.param._risk: no risk object")
			}
			continue
		}
		var entries []riskEntry
		if err := json.Unmarshal([]byte(raw), &entries); err != nil {
			bad("action.risk.param._risk is not a JSON list of objects: %v", err)
			continue
		}
		var named []string
		risks := 0
		for i, e := range entries {
			switch {
			case e.RiskObjectField != nil:
				risks++
				named = append(named, *e.RiskObjectField)
				if e.RiskObjectType == nil || !slices.Contains(riskObjectTypes, *e.RiskObjectType) {
					bad("action.risk.param._risk[%d]: risk_object_type must be one of %s", i, strings.Join(riskObjectTypes, ", "))
				}
				if e.RiskScore == nil || *e.RiskScore < 0 || *e.RiskScore > 100 {
					bad("action.risk.param._risk[%d]: risk_score must be a number from 0 to 100", i)
				}
			case e.ThreatObjectField != nil:
				named = append(named, *e.ThreatObjectField)
				if e.ThreatObjectType == nil || !slices.Contains(threatObjectTypes, *e.ThreatObjectType) {
					bad("action.risk.param._risk[%d]: threat_object_type must be one of %s", i, strings.Join(threatObjectTypes, ", "))
				}
			default:
				bad("action.risk.param._risk[%d] names neither a risk_object_field nor a threat_object_field", i)
			}
		}
		if riskOn && risks == 0 {
			bad("action.risk.param._risk has no risk object")
		}
		for _, m := range tokenRE.FindAllStringSubmatch(s.Value("action.risk.param._risk_message"), -1) {
			named = append(named, m[1])
		}
		text, _, err := spl.Expand(s.Value("search"), lookup)
		if err != nil {
			continue // reported by the macros check
		}
		p, err := spl.Parse(text)
		if err != nil {
			continue // reported by the SPL check
		}
		if miss := notEnriched(p, named); len(miss) > 0 {
			bad("the risk settings name %s, which the search's kubeenrich does not add: its fields= leaves the group out", strings.Join(miss, ", "))
		}
		fields, all := p.Fields()
		if all {
			continue // events: any field may be there
		}
		var missing []string
		for _, n := range named {
			if !fields[n] && !slices.Contains(missing, n) {
				missing = append(missing, n)
			}
		}
		sort.Strings(missing)
		if len(missing) > 0 {
			bad("the risk settings name %s, which the search's results do not carry", strings.Join(missing, ", "))
		}
	}
	return out
}
