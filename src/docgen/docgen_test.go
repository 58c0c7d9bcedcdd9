package docgen_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubelens/kubelens/src/docgen"
	"github.com/kubelens/kubelens/src/eksconf"
	"github.com/kubelens/kubelens/src/enrich"
	"github.com/kubelens/kubelens/src/lookups"
)

var update = flag.Bool("update", false, "rewrite README.md's generated sections, default/searchbnf.conf and app/README/inputs.conf.spec")

// shippedRisk is the app's risk signals lookup.
func shippedRisk(t *testing.T) docgen.RiskTable {
	t.Helper()
	tb, _, err := lookups.Load(filepath.Join("..", "..", "lookups"))
	if err != nil {
		t.Fatal(err)
	}
	return docgen.NewRiskTable(tb.RiskSignals)
}

// TestGeneratedDocs verifies README.md, default/searchbnf.conf,
// default/savedsearches.conf and the generated part of default/macros.conf
// say what the code and the shipped risk lookup declare ("make docs"
// rewrites them).
func TestGeneratedDocs(t *testing.T) {
	root := filepath.Join("..", "..")
	risk := shippedRisk(t)
	searches, err := docgen.SavedSearchesConf(risk)
	if err != nil {
		t.Fatal(err)
	}
	files := []struct {
		path     string
		generate func(current string) (string, []string)
	}{
		{"README.md", func(cur string) (string, []string) { return docgen.Splice(cur, docgen.ReadmeSections(risk)) }},
		{"default/macros.conf", func(cur string) (string, []string) { return docgen.SpliceConf(cur, docgen.ConfSections()) }},
		{"default/searchbnf.conf", func(string) (string, []string) { return docgen.SearchBNF(), nil }},
		{"default/savedsearches.conf", func(string) (string, []string) { return searches, nil }},
		{"app/README/inputs.conf.spec", func(string) (string, []string) { return eksconf.InputsConfSpec(), nil }},
	}
	for _, f := range files {
		path := filepath.Join(root, filepath.FromSlash(f.path))
		cur, err := os.ReadFile(path)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		want, missing := f.generate(string(cur))
		if len(missing) > 0 {
			t.Errorf("%s lacks the markers of sections %q", f.path, missing)
			continue
		}
		if *update {
			if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if string(cur) != want {
			t.Errorf("%s is stale: run make docs", f.path)
		}
	}
}

// TestSearchBNF_NamesEveryField verifies every output field and option is
// in searchbnf.conf.
func TestSearchBNF_NamesEveryField(t *testing.T) {
	bnf := docgen.SearchBNF()
	for _, f := range enrich.Catalogue {
		if !strings.Contains(bnf, f.Name) {
			t.Errorf("searchbnf.conf does not name %s", f.Name)
		}
	}
	for _, o := range []string{"fields=", "prefix="} {
		if !strings.Contains(bnf, o) {
			t.Errorf("searchbnf.conf does not name %s", o)
		}
	}
}

// TestDetectionsTable_ShowsEmittedValues verifies the first cell of every
// row of the README's detection table is a value k8s_detections or
// k8s_detections_partial really carries, so that a search copied from the
// README matches.
func TestDetectionsTable_ShowsEmittedValues(t *testing.T) {
	emitted := map[string]bool{}
	for _, d := range enrich.Detections {
		emitted[d.Name] = true
	}
	var table string
	for _, s := range docgen.ReadmeSections(shippedRisk(t)) {
		if s.Name == "detections" {
			table = s.Text
		}
	}
	rows := strings.Split(strings.TrimSpace(table), "\n")[2:]
	if len(rows) != len(enrich.Detections) {
		t.Fatalf("%d rows for %d detections", len(rows), len(enrich.Detections))
	}
	for _, row := range rows {
		cell := strings.TrimSpace(strings.Split(row, " | ")[0][1:])
		if !emitted[cell] {
			t.Errorf("the README shows %q, which no event carries", cell)
		}
	}
}
