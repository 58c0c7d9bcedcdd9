package enrich_test

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
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
	t.Logf("%d corpus records, %d read as audit events", events, audit)
	if audit < events*3/4 {
		t.Errorf("only %d of %d corpus records read as audit events", audit, events)
	}
}
