package chunked

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestSplitLine_AgainstEncoding encodes random rows of values full of
// quotes, commas, "$" and line breaks the way splunkd does, and requires
// splitLine to give back exactly the cells.
func TestSplitLine_AgainstEncoding(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	alphabet := []string{`"`, `""`, `,`, `",`, `,"`, `"",`, "a", "bc", "\n", "\r\n", "$", " ", "{", "}"}
	for n := 0; n < 20000; n++ {
		var cells []string
		for c := 0; c < 1+rng.IntN(6); c++ {
			var v strings.Builder
			for k := rng.IntN(8); k > 0; k-- {
				v.WriteString(alphabet[rng.IntN(len(alphabet))])
			}
			cell := v.String()
			if rng.IntN(3) > 0 || needsQuotes(cell) {
				cell = `"` + strings.ReplaceAll(cell, `"`, `""`) + `"`
			}
			cells = append(cells, cell)
		}
		line := strings.Join(cells, ",")
		got := splitLine(line, nil)
		if len(got) != len(cells) {
			t.Fatalf("%q: split into %q, want %q", line, got, cells)
		}
		for i := range got {
			if got[i] != cells[i] {
				t.Fatalf("%q: split into %q, want %q", line, got, cells)
			}
		}
	}
}
