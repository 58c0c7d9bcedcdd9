// Package docgen writes the user documentation that follows from code: the
// README's tables of kubeenrich options, output fields, detections,
// findings, Falco rules, lookups and saved searches, of eks_logs's
// parameters and of the service's configuration, default/searchbnf.conf,
// default/savedsearches.conf, the exclusions macros of default/macros.conf
// and app/README/inputs.conf.spec. Each is declared once (searchcmd.OptionDocs,
// enrich.Catalogue, enrich.Detections, enrich.Findings, lookups.All, the
// scores, techniques and messages of the shipped risk signals lookup,
// eksconf.Params, eksconf.ServiceKeys, eksconf.SinkKeys); a test keeps the
// files in step, and "make docs" rewrites them.
package docgen

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/kubelens/kubelens/src/audit"
	"github.com/kubelens/kubelens/src/eksconf"
	"github.com/kubelens/kubelens/src/enrich"
	"github.com/kubelens/kubelens/src/lookups"
	"github.com/kubelens/kubelens/src/searchcmd"
)

// Section is a generated part of a Markdown file, between
// <!-- generated:NAME --> and <!-- end:NAME --> markers.
type Section struct {
	Name string
	Text string
}

// ReadmeSections returns the generated parts of README.md; risk is the
// shipped risk signals lookup.
func ReadmeSections(risk RiskTable) []Section {
	return []Section{
		{"options", optionsTable()},
		{"inputs", inputsList()},
		{"fields", fieldsTable()},
		{"detections", detectionsTable(risk)},
		{"notjudged", notJudgedList()},
		{"findings", findingsTable(risk)},
		{"correspondence", correspondenceTable()},
		{"falco", falcoTable(risk)},
		{"lookups", lookupsTable()},
		{"eks-params", eksParamsTable()},
		{"eks-service-config", eksServiceReference()},
		{"savedsearches", savedSearchesList()},
	}
}

// ConfSections returns the generated parts of default/macros.conf.
func ConfSections() []Section {
	return []Section{{"filters", FilterMacros()}}
}

// eksParamsTable is the modular input's parameter table.
func eksParamsTable() string {
	var b strings.Builder
	b.WriteString("| parameter | default | meaning |\n|---|---|---|\n")
	for _, p := range eksconf.Params {
		if p.Shells&eksconf.ShellStanza == 0 {
			continue
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", p.Name, defaultCell(p.DefaultText(), p.Required), md(p.Doc))
	}
	return b.String()
}

func defaultCell(d string, required bool) string {
	switch {
	case required:
		return "— (required)"
	case d == "":
		return "—"
	case strings.HasPrefix(d, "/") || !strings.Contains(d, " "):
		return "`" + md(d) + "`"
	}
	return md(d)
}

// eksServiceReference is the service's configuration reference: the
// top-level keys, the keys of an input, and the keys of each sink type.
func eksServiceReference() string {
	var b strings.Builder
	b.WriteString("Top level:\n\n| key | default | meaning |\n|---|---|---|\n")
	for _, k := range eksconf.ServiceKeys {
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", k.Name, defaultCell(k.DefaultText(), k.Required), md(k.Doc))
	}
	b.WriteString("| `inputs` | — (required) | One or more inputs, below. |\n| `sinks` | — (required) | One or more sinks, below; every event goes to every sink. |\n")
	b.WriteString("\nEach entry of `inputs` (the same names, defaults and validation as a stanza's parameters):\n\n| key | default | meaning |\n|---|---|---|\n")
	b.WriteString("| `name` | — (required) | Unique, `[A-Za-z0-9_.-]+`. The checkpoint is the one of the modular input's stanza `eks_logs://<name>`. |\n")
	for _, p := range eksconf.Params {
		if p.Shells&eksconf.ShellService == 0 {
			continue
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", p.Name, defaultCell(p.DefaultText(), p.Required), md(p.Doc))
	}
	for _, typ := range []string{eksconf.SinkHEC, eksconf.SinkSCS} {
		fmt.Fprintf(&b, "\nA sink of `type: %s`:\n\n| key | default | meaning |\n|---|---|---|\n", typ)
		for _, k := range eksconf.SinkKeys {
			if !slices.Contains(k.SinkTypes, typ) {
				continue
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s |\n", k.Name, defaultCell(k.DefaultText(), k.Required), md(k.Doc))
		}
	}
	b.WriteString("\nA sink of `type: stdout` has no other key: it writes one HEC event object per line.\n")
	return b.String()
}

func optionsTable() string {
	var b strings.Builder
	b.WriteString("| option | meaning |\n|---|---|\n")
	for _, o := range searchcmd.OptionDocs {
		fmt.Fprintf(&b, "| `%s` | %s |\n", o.Syntax, md(o.Desc))
	}
	return b.String()
}

// inputsList names the Splunk fields kubeenrich reads (audit.Members).
func inputsList() string {
	names := make([]string, 0, len(enrich.InputNames))
	for _, n := range enrich.InputNames {
		names = append(names, "`"+n+"`")
	}
	return "Input fields, each read from Splunk's extracted field when the event has it and from the `_raw` JSON otherwise: " + strings.Join(names, ", ") + ".\n"
}

func fieldsTable() string {
	var b strings.Builder
	for _, g := range enrich.Groups {
		fmt.Fprintf(&b, "**%s**\n\n| field | kind | meaning |\n|---|---|---|\n", g)
		for _, f := range enrich.Catalogue {
			if f.Group != g {
				continue
			}
			kind := string(f.Kind)
			switch f.Kind {
			case enrich.KindEnum:
				kind = strings.Join(f.Values, ", ")
			case enrich.KindBool:
				kind = "true, false"
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s |\n", f.Name, md(kind), md(f.Desc))
		}
		b.WriteString("\n")
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// shapeData names the records each detection is judged on.
var shapeData = map[audit.Shape]string{
	audit.ShapeNative: "audit events",
	audit.ShapeAKS:    "AKS records",
	audit.ShapeGKE:    "GKE entries",
}

// scoreCells are a signal's score and ATT&CK techniques as the shipped
// lookup gives them.
func scoreCells(risk RiskTable, signal string) (score, techniques string) {
	row := risk[signal]
	if row == nil {
		return "none", "none"
	}
	techniques = strings.Join(row.Techniques, ", ")
	if techniques == "" {
		techniques = "none"
	}
	return fmt.Sprint(row.Score), techniques
}

func detectionsTable(risk RiskTable) string {
	var b strings.Builder
	b.WriteString("| detection (the value in `k8s_detections`) | security content id | status | ATT&CK | risk | judged on | judged |\n|---|---|---|---|---|---|---|\n")
	for _, d := range enrich.Detections {
		judged := "per event: `k8s_detections`"
		if d.Partial {
			judged = "qualifying events: `k8s_detections_partial`; the verdict is SPL's"
		}
		status := "current"
		if d.Deprecated {
			status = "deprecated in security content"
		}
		score, tech := scoreCells(risk, d.Signal())
		fmt.Fprintf(&b, "| %s | `%s` | %s | %s | %s | %s | %s |\n", md(d.Name), d.ID, status, tech, score, shapeData[d.Shape], judged)
	}
	return b.String()
}

// notJudgedList names the security content detections on Kubernetes audit
// data that kubeenrich does not judge, and why.
func notJudgedList() string {
	var b strings.Builder
	b.WriteString("Not judged, on any data:\n\n")
	for _, n := range enrich.NotJudged {
		fmt.Fprintf(&b, "- %s (`%s`): %s.\n", n.Name, n.ID, n.Why)
	}
	return b.String()
}

func findingsTable(risk RiskTable) string {
	var b strings.Builder
	b.WriteString("| finding (the value in `k8s_findings`) | what it means | what it leaves out, and why | ATT&CK | risk |\n|---|---|---|---|---|\n")
	for _, f := range enrich.Findings {
		score, tech := scoreCells(risk, f.Signal())
		fmt.Fprintf(&b, "| `%s`: %s | %s | %s | %s | %s |\n", f.ID, md(f.Title), md(f.Means), md(f.Excludes), tech, score)
	}
	return b.String()
}

func correspondenceTable() string {
	var b strings.Builder
	b.WriteString("| finding | Falco k8s_audit rules | SigmaHQ Kubernetes audit rules | Splunk security content |\n|---|---|---|---|\n")
	cell := func(names []string) string {
		if len(names) == 0 {
			return "none"
		}
		return md(strings.Join(names, "; "))
	}
	for _, f := range enrich.Findings {
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", f.ID, cell(f.Falco), cell(f.Sigma), cell(f.ESCU))
	}
	return b.String()
}

func falcoTable(risk RiskTable) string {
	var b strings.Builder
	b.WriteString("| Falco rule (the value in `k8s_falco_rules`) | Falco priority | default score of the priority | shipped score | ATT&CK |\n|---|---|---|---|---|\n")
	for _, r := range enrich.FalcoRules() {
		score, tech := scoreCells(risk, enrich.FalcoSignal(r.Name))
		fmt.Fprintf(&b, "| %s | %s | %d | %s | %s |\n", md(r.Name), r.Priority, enrich.FalcoPriorityScores[r.Priority], score, tech)
	}
	return b.String()
}

func savedSearchesList() string {
	var b strings.Builder
	b.WriteString("| saved search | signal | exclusions macro |\n|---|---|---|\n")
	for _, s := range SavedSearches() {
		macro := "security content's own"
		if !strings.HasSuffix(s.Name, "security_content SPL") {
			macro = "`" + FilterMacro(s.Signal) + "`"
		}
		fmt.Fprintf(&b, "| %s | `%s` | %s |\n", md(s.Name), s.Signal, macro)
	}
	return b.String()
}

func lookupsTable() string {
	var b strings.Builder
	b.WriteString("| shipped file | your copy | columns | what it does |\n|---|---|---|---|\n")
	for _, l := range lookups.All {
		fmt.Fprintf(&b, "| `%s` | `%s` | %s | %s |\n", l.DefaultFile(), l.UserFile(), strings.Join(l.Columns, ", "), md(l.Desc))
	}
	return b.String()
}

// md escapes table cell text.
func md(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// SearchBNF returns default/searchbnf.conf.
func SearchBNF() string {
	var b strings.Builder
	b.WriteString("# Generated from the code by \"make docs\" (src/docgen): edit the declarations, not this file.\n\n")
	b.WriteString("[kubeenrich-command]\n")
	b.WriteString("syntax = kubeenrich (fields=<string>)? (prefix=<string>)?\n")
	b.WriteString("shortdesc = Adds who, from where, against what, with what outcome and which detections to Kubernetes and EKS audit events.\n")
	desc := []string{
		"Enriches Kubernetes audit events (audit.k8s.io Event JSON of any cluster, AKS diagnostic records, GKE Cloud Audit Logs entries, CloudWatch Logs subscription messages: what the kubelens_k8s_audit macro returns) with flat k8s_*, eks_*, aws_*, azure_* and gcp_* fields and the CIM fields src_ip and user (filled only where empty).",
		"It reads Splunk's extracted fields and falls back to _raw for what they lack; every input field passes through unchanged. \\p\\",
		"Options:",
	}
	for _, o := range searchcmd.OptionDocs {
		desc = append(desc, "\\i\\"+o.Syntax+": "+o.Desc)
	}
	groups := map[enrich.Group][]string{}
	for _, f := range enrich.Catalogue {
		groups[f.Group] = append(groups[f.Group], f.Name)
	}
	desc[len(desc)-1] += " \\p\\"
	desc = append(desc, "Fields by group:")
	for _, g := range enrich.Groups {
		desc = append(desc, "\\i\\"+string(g)+": "+strings.Join(groups[g], ", ")+".")
	}
	desc = append(desc, "See the kubelens README for the meaning and values of every field.")
	writeContinued(&b, "description", desc)
	examples := []struct{ comment, search string }{
		{"Enrich the audit events of every cluster and count requests by platform and kind of principal, once per request.", "`kubelens_k8s_audit` | kubeenrich | search k8s_is_final=true | stats count by k8s_platform k8s_user_kind"},
		{"Events any signal scores (security content detection, kubelens finding, Falco rule), highest risk first.", "`aws_cloudwatchlogs_eks` | kubeenrich fields=identity,source,detections | search k8s_risk_score=* | sort - k8s_risk_score"},
		{"kubelens findings by platform and user, on every cluster.", "`kubelens_k8s_audit` | kubeenrich | search k8s_findings=* | stats count by k8s_platform user k8s_findings"},
		{"Keep kubeenrich's fields apart with a prefix.", "`kube_audit` | kubeenrich prefix=kl_ | stats values(kl_k8s_exec_command) by kl_user"},
	}
	for i, e := range examples {
		fmt.Fprintf(&b, "comment%d = %s\nexample%d = %s\n", i+1, e.comment, i+1, e.search)
	}
	b.WriteString("usage = public\n")
	b.WriteString("tags = kubernetes eks audit enrich k8s\n")
	b.WriteString("related = spath iplocation\n\n")
	opts := map[string]string{}
	for _, o := range searchcmd.OptionDocs {
		opts[o.Name] = o.Desc
	}
	names := make([]string, 0, len(opts))
	for n := range opts {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(&b, "[kubeenrich-%s-option]\nsyntax = %s=<string>\ndescription = %s\n\n", n, n, opts[n])
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// writeContinued writes a key whose value spans lines, ending each line
// but the last with a backslash as .conf files continue values.
func writeContinued(b *strings.Builder, key string, lines []string) {
	fmt.Fprintf(b, "%s = ", key)
	for i, l := range lines {
		b.WriteString(l)
		if i < len(lines)-1 {
			b.WriteString(" \\\n    ")
		}
	}
	b.WriteString("\n")
}

// Splice replaces the generated sections in a Markdown document and
// reports the names of sections whose markers are missing.
func Splice(doc string, sections []Section) (string, []string) {
	return splice(doc, sections, "<!-- generated:%s -->\n", "<!-- end:%s -->")
}

// SpliceConf replaces the generated sections of a .conf file, between
// "# generated:NAME" and "# end:NAME" lines.
func SpliceConf(doc string, sections []Section) (string, []string) {
	return splice(doc, sections, "# generated:%s\n", "# end:%s")
}

func splice(doc string, sections []Section, beginFmt, endFmt string) (string, []string) {
	var missing []string
	for _, s := range sections {
		begin, end := fmt.Sprintf(beginFmt, s.Name), fmt.Sprintf(endFmt, s.Name)
		i := strings.Index(doc, begin)
		j := strings.Index(doc, end)
		if i < 0 || j < i {
			missing = append(missing, s.Name)
			continue
		}
		doc = doc[:i+len(begin)] + s.Text + doc[j:]
	}
	return doc, missing
}
