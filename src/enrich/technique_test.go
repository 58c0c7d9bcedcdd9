package enrich_test

import (
	"regexp"
	"testing"

	"github.com/kubelens/kubelens/src/enrich"
)

// techniqueSpec is the ATT&CK id syntax the hand-written check follows.
var techniqueSpec = regexp.MustCompile(`^T[0-9]{4}(\.[0-9]{3})?$`)

func checkTechniqueID(t *testing.T, s string) {
	t.Helper()
	if got, want := enrich.IsTechniqueID(s), techniqueSpec.MatchString(s); got != want {
		t.Errorf("IsTechniqueID(%q) = %v, want %v", s, got, want)
	}
}

func TestIsTechniqueID(t *testing.T) {
	for _, s := range []string{"T1609", "T1552.007", "", "T", "T160", "T16090", "T1609.", "T1609.07", "T1609.0077", "t1609", "T1609 ", "T1a09", "T1609x007", "T1609.00a", "T1609\n", "TT1609"} {
		checkTechniqueID(t, s)
	}
}

func FuzzIsTechniqueID(f *testing.F) {
	f.Add("T1552.007")
	f.Fuzz(checkTechniqueID)
}
