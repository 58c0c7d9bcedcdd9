package appcheck

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"strings"
)

var (
	// AWS access key IDs: long-term (AKIA) and temporary (ASIA).
	accessKeyRE = regexp.MustCompile(`\b(?:AKIA|ASIA)[A-Z0-9]{16}\b`)
	// A secret access key assigned in a config or credentials file.
	secretKeyRE = regexp.MustCompile(`(?i)aws_?secret_?access_?key["']?\s*[=:]\s*["']?([A-Za-z0-9/+=]{40})\b`)
	// A PEM private key with its body (the bare header is in every TLS
	// library's error messages).
	privateKeyRE = regexp.MustCompile(`-----BEGIN [A-Z ]*PRIVATE KEY-----\s+[A-Za-z0-9+/=]{40,}`)
	// Settings that hold secrets.
	secretSettingRE = regexp.MustCompile(`(?i)^(password|passwd|secret|secret_key|access_key|token|api_key|session_key)$`)
)

// AWS's documented example credentials, fine anywhere.
var exampleSecrets = []string{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}

func isExample(s string) bool {
	for _, e := range exampleSecrets {
		if s == e {
			return true
		}
	}
	return strings.Contains(s, "EXAMPLE")
}

// maxScan bounds how much of one file the secrets check reads.
const maxScan = 256 << 20

// checkSecrets: no AWS keys, private keys or set secret settings anywhere in
// the package, binaries included.
// matchesNear returns the matches of re in windows of b around each
// occurrence of any needle, reach bytes to either side; each match once.
func matchesNear(b []byte, re *regexp.Regexp, reach int, needles ...string) [][][]byte {
	var out [][][]byte
	seen := map[int]bool{}
	for _, n := range needles {
		for off := 0; ; {
			i := bytes.Index(b[off:], []byte(n))
			if i < 0 {
				break
			}
			i += off
			lo, hi := max(0, i-reach), min(len(b), i+len(n)+reach)
			for _, loc := range re.FindAllSubmatchIndex(b[lo:hi], -1) {
				if start := lo + loc[0]; !seen[start] {
					seen[start] = true
					m := make([][]byte, len(loc)/2)
					for k := range m {
						if loc[2*k] >= 0 {
							m[k] = b[lo+loc[2*k] : lo+loc[2*k+1]]
						}
					}
					out = append(out, m)
				}
			}
			off = i + len(n)
		}
	}
	return out
}

func checkSecrets(a *app, _ Options) []Finding {
	var out []Finding
	for _, f := range a.files {
		if f.isDir {
			continue
		}
		b, err := os.ReadFile(a.path(f.rel))
		if err != nil || len(b) > maxScan {
			continue
		}
		// The expressions run only around a literal every match must
		// contain: regexp scans the package's binaries (tens of MB) a
		// hundred times slower than bytes.Index.
		for _, m := range matchesNear(b, accessKeyRE, 20, "AKIA", "ASIA") {
			if !isExample(string(m[0])) {
				out = append(out, Finding{Check: CheckSecrets, Path: f.rel, Msg: fmt.Sprintf("AWS access key ID %s...", m[0][:8])})
			}
		}
		for _, m := range matchesNear(b, secretKeyRE, 100, "ecret", "ECRET") {
			if !isExample(string(m[1])) {
				out = append(out, Finding{Check: CheckSecrets, Path: f.rel, Msg: "AWS secret access key"})
			}
		}
		if len(matchesNear(b, privateKeyRE, 4096, "PRIVATE KEY-----")) > 0 {
			out = append(out, Finding{Check: CheckSecrets, Path: f.rel, Msg: "PEM private key"})
		}
	}
	for name, f := range a.confs {
		for _, s := range f.Stanzas {
			for _, kv := range s.Settings {
				if secretSettingRE.MatchString(kv.Key) && kv.Value != "" {
					out = append(out, Finding{Check: CheckSecrets, Path: "default/" + name + ".conf", Msg: fmt.Sprintf("line %d: [%s] %s is set: secrets go to storage/passwords, never into a shipped file", kv.Line, s.Name, kv.Key)})
				}
			}
		}
	}
	return out
}

// checkReadme: the app README declares every binary, as AppInspect's
// check_for_binary_files_without_source_code asks.
func checkReadme(a *app, _ Options) []Finding {
	var b []byte
	var name string
	for _, n := range []string{"README.md", "README.txt", "README"} {
		if c, err := os.ReadFile(a.path(n)); err == nil {
			b, name = c, n
			break
		}
	}
	if b == nil {
		return []Finding{{Check: CheckReadme, Path: "README.md", Msg: "missing: the app README must carry a \"# Binary File Declaration\" section"}}
	}
	i := bytes.Index(b, []byte("# Binary File Declaration"))
	if i < 0 {
		return []Finding{{Check: CheckReadme, Path: name, Msg: "no \"# Binary File Declaration\" section"}}
	}
	var out []Finding
	decl := string(b[i:])
	for _, plat := range Platforms {
		for _, bin := range Binaries {
			p := plat + "/bin/" + exe(plat, bin)
			if !strings.Contains(decl, p) {
				out = append(out, Finding{Check: CheckReadme, Path: name, Msg: fmt.Sprintf("the Binary File Declaration does not list %s", p)})
			}
		}
	}
	return out
}

// checkSearchBNF: when searchbnf.conf is shipped, every custom command has a
// [<command>-command] stanza with the settings the spec requires.
func checkSearchBNF(a *app, _ Options) []Finding {
	bnf, cmds := a.conf("searchbnf"), a.conf("commands")
	if bnf == nil || cmds == nil {
		return nil
	}
	var out []Finding
	for _, c := range cmds.Stanzas {
		if c.Name == "" || c.Name == "default" {
			continue
		}
		s := bnf.Stanza(c.Name + "-command")
		if s == nil {
			out = append(out, Finding{Check: CheckSearchBNF, Path: bnf.Name, Msg: fmt.Sprintf("no [%s-command] stanza for the command %s", c.Name, c.Name)})
			continue
		}
		for _, req := range []string{"syntax", "description", "usage"} {
			if s.Value(req) == "" {
				out = append(out, Finding{Check: CheckSearchBNF, Path: bnf.Name, Msg: fmt.Sprintf("[%s] has no %s (required)", s.Name, req)})
			}
		}
		if u := s.Value("usage"); u != "" && u != "public" && u != "private" && u != "deprecated" {
			out = append(out, Finding{Check: CheckSearchBNF, Path: bnf.Name, Msg: fmt.Sprintf("[%s] usage = %q: public, private or deprecated", s.Name, u)})
		}
		if !strings.HasPrefix(strings.ToLower(strings.TrimSpace(s.Value("syntax"))), c.Name) {
			out = append(out, Finding{Check: CheckSearchBNF, Path: bnf.Name, Msg: fmt.Sprintf("[%s] syntax does not start with the command name", s.Name)})
		}
	}
	return out
}

// splunkViews are views every Splunk app can put in its navigation.
var splunkViews = map[string]bool{"search": true, "datasets": true, "reports": true, "alerts": true, "dashboards": true, "analytics_workspace": true, "data_models": true}

var viewNameRE = regexp.MustCompile(`<view\s+[^>]*name="([^"]+)"`)

// checkViews: dashboards and navigation are well-formed XML, and the
// navigation names views that exist.
func checkViews(a *app, _ Options) []Finding {
	var out []Finding
	views := map[string]bool{}
	for _, f := range a.files {
		if f.isDir || !strings.HasPrefix(f.rel, "default/data/ui/") || !strings.HasSuffix(f.rel, ".xml") {
			continue
		}
		b, err := os.ReadFile(a.path(f.rel))
		if err != nil {
			continue
		}
		if _, err := xmlTexts(b, "query"); err != nil {
			out = append(out, Finding{Check: CheckViews, Path: f.rel, Msg: fmt.Sprintf("not well-formed XML: %v", err)})
			continue
		}
		if strings.HasPrefix(f.rel, "default/data/ui/views/") {
			views[strings.TrimSuffix(strings.TrimPrefix(f.rel, "default/data/ui/views/"), ".xml")] = true
		}
	}
	nav, err := os.ReadFile(a.path("default/data/ui/nav/default.xml"))
	if err != nil {
		return append(out, Finding{Check: CheckViews, Path: "default/data/ui/nav/default.xml", Msg: "missing: the app has no navigation bar"})
	}
	for _, m := range viewNameRE.FindAllSubmatch(nav, -1) {
		if v := string(m[1]); !views[v] && !splunkViews[v] {
			out = append(out, Finding{Check: CheckViews, Path: "default/data/ui/nav/default.xml", Msg: fmt.Sprintf("view %q is neither in default/data/ui/views/ nor one of Splunk's", v)})
		}
	}
	return out
}
