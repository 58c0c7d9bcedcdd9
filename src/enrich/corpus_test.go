package enrich_test

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kubelens/kubelens/src/enrich"
)

// TestCorpus runs the real Kubernetes and EKS audit events of the team's
// reference corpus (../shared, third-party data, never committed) through
// the enricher: nothing may panic, every classifying field must stay in its
// vocabulary, and every audit event must get a kind of user.
func TestCorpus(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "..", "shared", "corpus", "*.jsonl"))
	if len(files) == 0 {
		t.Skip("../shared/corpus is absent")
	}
	w := enrich.New(shippedTables(t)).NewWorker()
	shown := map[string]int{}
	var out enrich.Output
	events, audit := 0, 0
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 4<<20)
		for sc.Scan() {
			events++
			prob := w.Enrich(rec{"_raw": {sc.Text()}, "source": {"us-east-1:/aws/eks/corpus/cluster:kube-apiserver-audit-1"}}, &out)
			if prob != nil {
				continue
			}
			audit++
			checkJudgement(t, filepath.Base(name), &out, shown)
			if out.First(enrich.FieldK8sUserKind) == "" && out.First(enrich.FieldK8sUser) != "" {
				t.Errorf("%s: user %q without a kind", filepath.Base(name), out.First(enrich.FieldK8sUser))
			}
			for _, fd := range enrich.Catalogue {
				for _, v := range out.Get(fd.ID) {
					if fd.Kind == enrich.KindEnum && !slices.Contains(fd.Values, v) {
						t.Errorf("%s: %s = %q, not in its vocabulary", filepath.Base(name), fd.Name, v)
					}
				}
			}
		}
		f.Close()
	}
	t.Logf("%d corpus records, %d read as audit events; findings shown: %v", events, audit, shown)
	// The corpus holds attacks of most kinds: the findings must see them.
	if len(shown) < len(enrich.Findings)/2 {
		t.Errorf("only %d of %d findings shown on the corpus: %v", len(shown), len(enrich.Findings), shown)
	}
	if audit < events*3/4 {
		t.Errorf("only %d of %d corpus records read as audit events", audit, events)
	}
}

// TestCorpus_Platforms runs the corpus's AKS, GKE and OpenShift records
// (../shared, never committed) through the enricher as their Splunk
// add-ons deliver them, and checks what the platforms' issue reported:
// GKE records enriched, OpenShift's namespaces system, its system:admin a
// privileged user, each record's platform from its shape.
func TestCorpus_Platforms(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "corpus")
	if _, err := os.Stat(dir); err != nil {
		t.Skip("../shared/corpus is absent")
	}
	w := enrich.New(shippedTables(t)).NewWorker()
	var out enrich.Output
	for _, c := range []struct {
		file, sourcetype, platform string
		min                        int // records read as audit events, at least
	}{
		{"panther_gke_auditlog_tests.jsonl", "google:gcp:pubsub:message", "gke", 30},
		{"panther_aks_monitoractivity_tests.jsonl", "mscs:azure:eventhub", "aks", 30},
		{"openshift_clo_audit_in.jsonl", "kube:apiserver-audit", "", 100},
	} {
		f, err := os.Open(filepath.Join(dir, c.file))
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 4<<20)
		read, privilegedAdmin := 0, false
		shown := map[string]int{}
		for sc.Scan() {
			if w.Enrich(rec{"_raw": {sc.Text()}, "sourcetype": {c.sourcetype}}, &out) != nil && out.First(enrich.FieldK8sUserKind) == "" {
				continue
			}
			read++
			checkJudgement(t, c.file, &out, shown)
			if p := out.First(enrich.FieldK8sPlatform); c.platform != "" && p != c.platform {
				t.Errorf("%s: platform %q, want %q", c.file, p, c.platform)
			}
			ns, class := out.First(enrich.FieldK8sNamespace), out.First(enrich.FieldK8sNamespaceClass)
			if strings.HasPrefix(ns, "openshift-") && class != "system" {
				t.Errorf("%s: namespace %s classed %q, want system", c.file, ns, class)
			}
			if out.First(enrich.FieldK8sUser) == "system:admin" {
				if out.First(enrich.FieldK8sUserKind) != "user" || out.First(enrich.FieldK8sUserPrivileged) != "true" {
					t.Errorf("%s: system:admin is %q, privileged %q; want a privileged user", c.file, out.First(enrich.FieldK8sUserKind), out.First(enrich.FieldK8sUserPrivileged))
				}
				privilegedAdmin = true
			}
			for _, fd := range enrich.Catalogue {
				for _, v := range out.Get(fd.ID) {
					if fd.Kind == enrich.KindEnum && !slices.Contains(fd.Values, v) {
						t.Errorf("%s: %s = %q, not in its vocabulary", c.file, fd.Name, v)
					}
				}
			}
		}
		f.Close()
		t.Logf("%s: %d records read as audit events (system:admin seen: %t); findings shown: %v", c.file, read, privilegedAdmin, shown)
		if read < c.min {
			t.Errorf("%s: %d records read as audit events, want at least %d", c.file, read, c.min)
		}
	}
}

// checkJudgement holds on every real event: a finding only on a request's
// final event, never on a health or version probe, never on eviction; a
// risk score only with a signal; findings listed among the signals.
func checkJudgement(t *testing.T, file string, out *enrich.Output, shown map[string]int) {
	t.Helper()
	findings := out.Get(enrich.FieldK8sFindings)
	for _, id := range findings {
		shown[id]++
		if !slices.Contains(out.Get(enrich.FieldK8sRiskSignals), "kubelens:"+id) {
			t.Errorf("%s: finding %s not among k8s_risk_signals", file, id)
		}
	}
	if len(findings) == 0 {
		return
	}
	what := fmt.Sprintf("%s: %s %s (audit id %s): findings %v", file, out.First(enrich.FieldK8sAction), out.First(enrich.FieldK8sResource), out.First(enrich.FieldK8sAuditID), findings)
	switch {
	case out.First(enrich.FieldK8sIsFinal) == "false":
		t.Errorf("%s on a non-final stage", what)
	case out.First(enrich.FieldK8sRequestKind) == "health":
		t.Errorf("%s on a health probe", what)
	case out.First(enrich.FieldK8sResource) == "pods/eviction":
		t.Errorf("%s on an eviction", what)
	case out.First(enrich.FieldK8sRiskScore) == "":
		t.Errorf("%s without a risk score", what)
	}
}
