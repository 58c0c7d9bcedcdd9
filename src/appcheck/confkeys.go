package appcheck

import (
	"bufio"
	"embed"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/kubelens/kubelens/src/splunkconf"
)

//go:embed specs/*.txt
var specFS embed.FS

// rule allows key in stanzas matching stanza (nil: any stanza).
type rule struct {
	stanza, key *regexp.Regexp
}

// placeholderRE matches a spec placeholder such as <class>.
var placeholderRE = regexp.MustCompile(`<[^>]*>`)

func patternRE(p string) *regexp.Regexp {
	parts := placeholderRE.Split(p, -1)
	for i := range parts {
		parts[i] = regexp.QuoteMeta(parts[i])
	}
	return regexp.MustCompile("^" + strings.Join(parts, ".+") + "$")
}

// specRules reads specs/<name>.txt; ok is false when there is none.
func specRules(name string) (rules []rule, ok bool) {
	b, err := specFS.ReadFile("specs/" + name + ".txt")
	if err != nil {
		return nil, false
	}
	sc := bufio.NewScanner(strings.NewReader(string(b)))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var r rule
		if strings.HasPrefix(line, "[") {
			end := strings.Index(line, "] ")
			r.stanza = patternRE(line[1:end])
			line = strings.TrimSpace(line[end+2:])
		}
		r.key = patternRE(line)
		rules = append(rules, r)
	}
	return rules, true
}

func allowed(rules []rule, stanza, key string) bool {
	for _, r := range rules {
		if (r.stanza == nil || r.stanza.MatchString(stanza)) && r.key.MatchString(key) {
			return true
		}
	}
	return false
}

// checkConfKeys: every setting of every shipped conf and meta file is one
// its spec documents, set once per stanza.
func checkConfKeys(a *app, _ Options) []Finding {
	var out []Finding
	names := make([]string, 0, len(a.confs))
	for n := range a.confs {
		names = append(names, n)
	}
	sort.Strings(names)
	type target struct {
		file  *splunkconf.File
		rules string
	}
	var targets []target
	for _, n := range names {
		targets = append(targets, target{a.confs[n], n})
	}
	for n, f := range a.meta {
		targets = append(targets, target{f, n})
	}
	for _, t := range targets {
		rules, ok := specRules(t.rules)
		if !ok {
			out = append(out, Finding{Check: CheckConfKeys, Path: t.file.Name, Msg: fmt.Sprintf("no list of documented settings for %s: add src/appcheck/specs/%s.txt from Splunk's spec file", t.rules, t.rules)})
			continue
		}
		if t.rules == "inputs" {
			rules = append(rules, appSpecRules(a, "inputs")...)
		}
		for _, s := range t.file.Stanzas {
			seen := map[string]int{}
			for _, kv := range s.Settings {
				if line, dup := seen[kv.Key]; dup {
					out = append(out, Finding{Check: CheckConfKeys, Path: t.file.Name, Msg: fmt.Sprintf("line %d: [%s] %s is set twice (line %d too): the last one wins", kv.Line, s.Name, kv.Key, line)})
				}
				seen[kv.Key] = kv.Line
				if !allowed(rules, s.Name, kv.Key) {
					out = append(out, Finding{Check: CheckConfKeys, Path: t.file.Name, Msg: fmt.Sprintf("line %d: [%s] %s is not a setting %s.spec documents", kv.Line, s.Name, kv.Key, t.rules)})
				}
				if t.rules == "tags" && kv.Value != "enabled" && kv.Value != "disabled" {
					out = append(out, Finding{Check: CheckConfKeys, Path: t.file.Name, Msg: fmt.Sprintf("line %d: tag %s = %q: must be enabled or disabled", kv.Line, kv.Key, kv.Value)})
				}
			}
		}
	}
	return out
}

// appSpecRules turns the app's own README/<conf>.conf.spec into rules: the
// parameters of its modular input schemes, for the scheme's stanzas.
func appSpecRules(a *app, conf string) []rule {
	f := a.specs[conf]
	if f == nil {
		return nil
	}
	var rules []rule
	for _, s := range f.Stanzas {
		scheme, _, _ := strings.Cut(s.Name, "://")
		st := regexp.MustCompile("^" + regexp.QuoteMeta(scheme) + "(://.*)?$")
		for _, kv := range s.Settings {
			rules = append(rules, rule{stanza: st, key: patternRE(kv.Key)})
		}
	}
	return rules
}
