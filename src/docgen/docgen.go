// Package docgen writes the user documentation that follows from code: the
// README's tables of kubeenrich options, output fields, detections and
// lookups, and default/searchbnf.conf. Each is declared once in code
// (searchcmd.OptionDocs, enrich.Catalogue, enrich.Detections,
// lookups.All); a test keeps the files in step, and "make docs" rewrites
// them.
package docgen

import (
	"fmt"
	"sort"
	"strings"

	"github.com/kubelens/kubelens/src/audit"
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

// ReadmeSections returns the generated parts of README.md.
func ReadmeSections() []Section {
	return []Section{
		{"options", optionsTable()},
		{"inputs", inputsList()},
		{"fields", fieldsTable()},
		{"detections", detectionsTable()},
		{"notjudged", notJudgedList()},
		{"falco", falcoList()},
		{"lookups", lookupsTable()},
	}
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

func detectionsTable() string {
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
		tech := strings.Join(d.Techniques, ", ")
		if tech == "" {
			tech = "none"
		}
		fmt.Fprintf(&b, "| %s | `%s` | %s | %s | %d | %s | %s |\n", md(d.Name), d.ID, status, tech, d.Score, shapeData[d.Shape], judged)
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

func falcoList() string {
	names := enrich.FalcoRuleNames()
	return "Falco rules judged into `k8s_falco_rules`: " + strings.Join(quoteAll(names), ", ") + ".\n"
}

func lookupsTable() string {
	var b strings.Builder
	b.WriteString("| shipped file | your copy | columns | what it does |\n|---|---|---|---|\n")
	for _, l := range lookups.All {
		fmt.Fprintf(&b, "| `%s` | `%s` | %s | %s |\n", l.DefaultFile(), l.UserFile(), strings.Join(l.Columns, ", "), md(l.Desc))
	}
	return b.String()
}

func quoteAll(list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = "\"" + s + "\""
	}
	return out
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
		{"Events matching any security content detection, highest risk first.", "`aws_cloudwatchlogs_eks` | kubeenrich fields=identity,source,detections | search k8s_risk_score=* | sort - k8s_risk_score"},
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
	var missing []string
	for _, s := range sections {
		begin, end := "<!-- generated:"+s.Name+" -->\n", "<!-- end:"+s.Name+" -->"
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
