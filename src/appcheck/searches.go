package appcheck

import (
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/kubelens/kubelens/src/spl"
)

var macroStanzaRE = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*)(?:\((\d+)\))?$`)

// macroLookup resolves macros from the app's macros.conf.
func (a *app) macroLookup() spl.Lookup {
	defs := map[string]spl.Definition{}
	if f := a.conf("macros"); f != nil {
		for _, s := range f.Stanzas {
			var params []string
			for _, p := range strings.Split(s.Value("args"), ",") {
				if p = strings.TrimSpace(p); p != "" {
					params = append(params, p)
				}
			}
			defs[s.Name] = spl.Definition{Body: s.Value("definition"), Params: params}
		}
	}
	return func(st string) (spl.Definition, bool) {
		d, ok := defs[st]
		return d, ok
	}
}

// checkMacros: macro stanzas are well-formed and every macro any search
// calls is defined, recursively.
func checkMacros(a *app, _ Options) []Finding {
	var out []Finding
	if f := a.conf("macros"); f != nil {
		for _, s := range f.Stanzas {
			m := macroStanzaRE.FindStringSubmatch(s.Name)
			bad := func(msg string) {
				out = append(out, Finding{Check: CheckMacros, Path: f.Name, Msg: fmt.Sprintf("line %d: [%s] %s", s.Line, s.Name, msg)})
			}
			if m == nil {
				bad("is not a macro name, name(n) for n arguments")
				continue
			}
			if _, ok := s.Get("definition"); !ok {
				bad("has no definition")
			}
			n, _ := strconv.Atoi(m[2])
			var args []string
			if v := strings.TrimSpace(s.Value("args")); v != "" {
				args = strings.Split(v, ",")
			}
			if len(args) != n {
				bad(fmt.Sprintf("takes %d arguments but args names %d", n, len(args)))
			}
		}
	}
	lookup := a.macroLookup()
	for _, s := range a.searches() {
		_, missing, err := spl.Expand(s.text, lookup)
		if err != nil {
			out = append(out, Finding{Check: CheckMacros, Path: s.path, Msg: fmt.Sprintf("%s: %v", s.where, err)})
			continue
		}
		for _, m := range missing {
			out = append(out, Finding{Check: CheckMacros, Path: s.path, Msg: fmt.Sprintf("%s: macro `%s` is not defined in macros.conf", s.where, m)})
		}
	}
	return out
}

// checkSPL: every saved search and dashboard query, its macros expanded,
// splits into commands that Splunk or this app define; event type searches
// are single search commands.
func checkSPL(a *app, _ Options) []Finding {
	var out []Finding
	ours := map[string]bool{}
	if f := a.conf("commands"); f != nil {
		for _, s := range f.Stanzas {
			ours[strings.ToLower(s.Name)] = true
		}
	}
	lookup := a.macroLookup()
	for _, s := range a.searches() {
		if s.fragment && !strings.HasPrefix(s.path, "default/eventtypes") {
			continue // macro bodies are checked where they are used
		}
		text, _, err := spl.Expand(s.text, lookup)
		if err != nil {
			continue // reported by the macros check
		}
		p, err := spl.Parse(text)
		if err != nil {
			out = append(out, Finding{Check: CheckSPL, Path: s.path, Msg: fmt.Sprintf("%s: %v", s.where, err)})
			continue
		}
		if s.fragment {
			if len(p.Commands) != 1 || len(p.Commands[0].Subsearches) > 0 || p.Generating {
				out = append(out, Finding{Check: CheckSPL, Path: s.path, Msg: fmt.Sprintf("%s: an event type search may not contain pipes or subsearches", s.where)})
			}
			continue
		}
		if len(p.Commands) == 0 {
			out = append(out, Finding{Check: CheckSPL, Path: s.path, Msg: fmt.Sprintf("%s: empty search", s.where)})
		}
		p.Walk(func(c *spl.Command) {
			switch {
			case strings.HasPrefix(c.Name, "`"):
				// an undefined macro, reported by the macros check
			case !spl.IsCommand(c.Name) && !ours[c.Name]:
				out = append(out, Finding{Check: CheckSPL, Path: s.path, Msg: fmt.Sprintf("%s: unknown command %q", s.where, c.Name)})
			}
		})
	}
	return out
}

// checkLookups: every lookup file a definition names is shipped, and every
// lookup a search or props.conf uses is defined or shipped.
func checkLookups(a *app, _ Options) []Finding {
	var out []Finding
	defined := map[string]bool{}
	if f := a.conf("transforms"); f != nil {
		for _, s := range f.Stanzas {
			fn, ok := s.Get("filename")
			if !ok {
				continue
			}
			defined[s.Name] = true
			if path.Base(fn) != fn || !a.exists("lookups/"+fn) {
				out = append(out, Finding{Check: CheckLookups, Path: f.Name, Msg: fmt.Sprintf("[%s] filename = %s: lookups/%s is not in the package", s.Name, fn, fn)})
			}
		}
	}
	if f := a.conf("props"); f != nil {
		for _, s := range f.Stanzas {
			for _, kv := range s.Settings {
				if !strings.HasPrefix(kv.Key, "LOOKUP-") {
					continue
				}
				name := strings.Fields(kv.Value + " ")[0]
				if !defined[name] && !a.exists("lookups/"+name) {
					out = append(out, Finding{Check: CheckLookups, Path: f.Name, Msg: fmt.Sprintf("line %d: %s uses lookup %q, which transforms.conf does not define", kv.Line, kv.Key, name)})
				}
			}
		}
	}
	lookup := a.macroLookup()
	for _, s := range a.searches() {
		if s.fragment {
			continue
		}
		text, _, err := spl.Expand(s.text, lookup)
		if err != nil {
			continue
		}
		p, err := spl.Parse(text)
		if err != nil {
			continue
		}
		p.Walk(func(c *spl.Command) {
			if c.Name != "lookup" && c.Name != "inputlookup" && c.Name != "outputlookup" {
				return
			}
			name := ""
			for _, w := range strings.Fields(c.Args) {
				if !strings.Contains(w, "=") {
					name = strings.Trim(w, `"`)
					break
				}
			}
			if name == "" {
				out = append(out, Finding{Check: CheckLookups, Path: s.path, Msg: fmt.Sprintf("%s: %s without a lookup name", s.where, c.Name)})
				return
			}
			if !defined[name] && !a.exists("lookups/"+name) {
				out = append(out, Finding{Check: CheckLookups, Path: s.path, Msg: fmt.Sprintf("%s: %s %s: no such lookup definition or file in lookups/", s.where, c.Name, name)})
			}
		})
	}
	return out
}

var cronRE = regexp.MustCompile(`^\S+ \S+ \S+ \S+ \S+$`)

// checkSavedSearches: detections ship disabled, and scheduled ones carry a
// schedule and a time range.
func checkSavedSearches(a *app, _ Options) []Finding {
	f := a.conf("savedsearches")
	if f == nil {
		return nil
	}
	var out []Finding
	for _, s := range f.Stanzas {
		if s.Name == "" || s.Name == "default" {
			continue
		}
		bad := func(msg string) {
			out = append(out, Finding{Check: CheckSavedSearches, Path: f.Name, Msg: fmt.Sprintf("line %d: [%s] %s", s.Line, s.Name, msg)})
		}
		if strings.TrimSpace(s.Value("search")) == "" {
			bad("has no search")
		}
		if d := s.Value("disabled"); d != "1" && d != "true" {
			bad("must ship disabled (disabled = 1): admins enable the detections they want")
		}
		if s.Value("description") == "" {
			bad("has no description")
		}
		if s.Value("enableSched") == "1" || s.Value("enableSched") == "true" {
			if !cronRE.MatchString(strings.TrimSpace(s.Value("cron_schedule"))) {
				bad(fmt.Sprintf("is scheduled but cron_schedule %q is not five fields", s.Value("cron_schedule")))
			}
			if s.Value("dispatch.earliest_time") == "" {
				bad("is scheduled without dispatch.earliest_time")
			}
		}
	}
	return out
}
