package docgen_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kubelens/kubelens/src/docgen"
	"github.com/kubelens/kubelens/src/enrich"
)

var update = flag.Bool("update", false, "rewrite README.md's generated sections and default/searchbnf.conf")

// TestGeneratedDocs verifies README.md and default/searchbnf.conf say what
// the code declares ("make docs" rewrites them).
func TestGeneratedDocs(t *testing.T) {
	root := filepath.Join("..", "..")
	readmePath := filepath.Join(root, "README.md")
	readme, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	want, missing := docgen.Splice(string(readme), docgen.ReadmeSections())
	if len(missing) > 0 {
		t.Fatalf("README.md lacks the markers of sections %q", missing)
	}
	bnfPath := filepath.Join(root, "default", "searchbnf.conf")
	if *update {
		if err := os.WriteFile(readmePath, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(bnfPath, []byte(docgen.SearchBNF()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if string(readme) != want {
		t.Errorf("README.md's generated sections are stale: run make docs")
	}
	bnf, err := os.ReadFile(bnfPath)
	if err != nil || string(bnf) != docgen.SearchBNF() {
		t.Errorf("default/searchbnf.conf is stale or missing (%v): run make docs", err)
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
	for _, s := range docgen.ReadmeSections() {
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
