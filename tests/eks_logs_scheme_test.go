package tests

import (
	"bufio"
	"encoding/xml"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var eksLogsUpdate = flag.Bool("eks-logs-update", false, "rewrite the eks_logs golden files")

type eksSchemeDoc struct {
	Title                 string `xml:"title"`
	UseExternalValidation bool   `xml:"use_external_validation"`
	UseSingleInstance     bool   `xml:"use_single_instance"`
	StreamingMode         string `xml:"streaming_mode"`
	Args                  []struct {
		Name             string `xml:"name,attr"`
		Title            string `xml:"title"`
		Description      string `xml:"description"`
		DataType         string `xml:"data_type"`
		RequiredOnCreate bool   `xml:"required_on_create"`
	} `xml:"endpoint>args>arg"`
}

func eksLogsScheme(t *testing.T) (string, eksSchemeDoc) {
	t.Helper()
	out, stderr, code := runEksLogs(t, "", eksAwsTestEnv(t), "--scheme")
	if code != 0 {
		t.Fatalf("--scheme exit %d: %s", code, stderr)
	}
	var doc eksSchemeDoc
	if err := xml.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("--scheme output is not XML: %v\n%s", err, out)
	}
	return out, doc
}

// TestEksLogsScheme_Golden verifies the exact --scheme document (reviewed in
// tests/testdata/eks_logs_scheme.xml) and the protocol settings in it.
func TestEksLogsScheme_Golden(t *testing.T) {
	out, doc := eksLogsScheme(t)
	golden := filepath.Join("testdata", "eks_logs_scheme.xml")
	if *eksLogsUpdate {
		os.WriteFile(golden, []byte(out), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if out != string(want) {
		t.Errorf("--scheme differs from %s (rerun with -eks-logs-update after review):\n%s", golden, out)
	}
	if !doc.UseExternalValidation || doc.UseSingleInstance || doc.StreamingMode != "xml" || doc.Title == "" {
		t.Errorf("scheme settings = %+v", doc)
	}
	for _, a := range doc.Args {
		if a.DataType != "string" && a.DataType != "number" && a.DataType != "boolean" {
			t.Errorf("arg %s: data_type %q", a.Name, a.DataType)
		}
		if a.Title == "" || a.Description == "" {
			t.Errorf("arg %s has no title or description", a.Name)
		}
	}
}

// TestEksLogsScheme_MatchesInputsConfSpec verifies that
// app/README/inputs.conf.spec documents exactly the scheme's arguments, and
// says "Required" for each argument required on create.
func TestEksLogsScheme_MatchesInputsConfSpec(t *testing.T) {
	_, doc := eksLogsScheme(t)
	f, err := os.Open(filepath.Join("..", "app", "README", "inputs.conf.spec"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	settingRE := regexp.MustCompile(`^([0-9A-Za-z][0-9A-Za-z_-]*)\s*=`)
	docs := map[string]string{}
	var order []string
	in, cur := false, ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "["):
			in = line == "[eks_logs://<name>]"
			cur = ""
		case !in || strings.HasPrefix(line, "#"):
		case settingRE.MatchString(line):
			cur = settingRE.FindStringSubmatch(line)[1]
			order = append(order, cur)
			docs[cur] = ""
		case cur != "" && strings.TrimSpace(line) != "":
			docs[cur] += " " + strings.TrimSpace(line)
		}
	}
	var schemeNames []string
	for _, a := range doc.Args {
		schemeNames = append(schemeNames, a.Name)
		d, ok := docs[a.Name]
		if !ok {
			t.Errorf("inputs.conf.spec does not document %s", a.Name)
			continue
		}
		if a.RequiredOnCreate && !strings.Contains(d, "Required") {
			t.Errorf("inputs.conf.spec does not say %s is required", a.Name)
		}
		if !a.RequiredOnCreate && strings.Contains(d, "* Required.") {
			t.Errorf("inputs.conf.spec says %s is required; the scheme does not", a.Name)
		}
	}
	for _, n := range order {
		if !slices.Contains(schemeNames, n) {
			t.Errorf("inputs.conf.spec documents %s, which --scheme does not declare", n)
		}
	}
	if len(order) == 0 {
		t.Fatal("no settings found in inputs.conf.spec")
	}
}
