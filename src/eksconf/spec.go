package eksconf

import "strings"

// InputsConfSpec returns app/README/inputs.conf.spec, generated from Params
// ("make docs" writes it; a test keeps the file in step).
func InputsConfSpec() string {
	var b strings.Builder
	b.WriteString(`# kubelens: the eks_logs modular input.
# Generated from the parameter declarations (src/eksconf) by "make docs":
# edit the declarations, not this file.
#
# Reads Amazon EKS control-plane logs (above all the API-server audit log)
# from CloudWatch Logs without losing or duplicating events across restarts,
# throttling and late arrival. Each event: sourcetype aws:cloudwatchlogs:eks
# (unless the stanza sets another), source <region>:<log group>:<log stream>,
# _time the CloudWatch timestamp, _raw the CloudWatch message verbatim.
# source, sourcetype, host, index, disabled and interval are the usual
# inputs.conf settings; default/inputs.conf sets interval = 60 so that splunkd
# restarts the process if it ever exits (it runs until stopped).

[eks_logs://<name>]
* One EKS cluster (one log group) per stanza.
* Secrets never go in this file: see aws_account.
`)
	for _, p := range Params {
		if p.Shells&ShellStanza == 0 {
			continue
		}
		b.WriteString("\n" + p.Name + " = " + p.Syntax + "\n")
		if p.Required {
			b.WriteString("* Required.\n")
		} else {
			b.WriteString("* Optional.\n")
		}
		writeBullet(&b, p.Doc)
		if d := p.DefaultText(); d != "" {
			b.WriteString("* Default: " + d + "\n")
		}
	}
	return b.String()
}

// writeBullet writes text as one "* " item wrapped at 78 columns. A
// continuation line holding "=" would read as a setting to spec parsers
// (splunkd's, AppInspect's): it starts with "*" instead.
func writeBullet(b *strings.Builder, text string) {
	var lines []string
	line := ""
	for _, w := range strings.Fields(text) {
		if line != "" && len(line)+3+len(w) > 78 {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	lines = append(lines, line)
	for i, l := range lines {
		switch {
		case i == 0 || strings.Contains(l, "="):
			b.WriteString("* " + l + "\n")
		default:
			b.WriteString("  " + l + "\n")
		}
	}
}
