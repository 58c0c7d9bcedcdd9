package appcheck

import (
	"slices"
	"testing"

	"github.com/kubelens/kubelens/src/spl"
)

func TestUnproducedFields(t *testing.T) {
	known := map[string]bool{"index": true, "sourcetype": true, "user": true, "k8s_cluster": true, "k8s_platform": true, "src_ip": true, "_time": true}
	for _, c := range []struct {
		search  string
		missing []string
	}{
		{`index=* sourcetype="x" k8s_cluster="$cluster$" | stats count by user`, nil},
		{`index=* | search eks_cluster="a" | table _time user`, []string{"eks_cluster"}},
		{`index=* | stats count dc(src_ip) as sources values(k8s_nope) as nope by user | sort - count | table user sources nope`, []string{"k8s_nope"}},
		{`index=* | stats count by user | table user k8s_cluster`, []string{"k8s_cluster"}},
		{`index=* | eval label=k8s_cluster." (".k8s_platform.")" | table label`, nil},
		{`index=* | search k8s_resource_sensitivity IN (critical, high)`, []string{"k8s_resource_sensitivity"}},
		{`index=* | stats latest(_time) as last_seen by user | convert ctime(last_seen) | rename user as who | table who last_seen`, nil},
		{`index=* | iplocation src_ip | stats count by Country`, nil},
		{`index=* | fillnull value="-" k8s_nothing | search k8s_nothing="-"`, nil},
		{`index=* | top limit=20 user k8s_gone | table user count percent`, []string{"k8s_gone"}},
		{`index=* | timechart count by user | table anything`, nil},
	} {
		p, err := spl.Parse(c.search)
		if err != nil {
			t.Fatal(err)
		}
		if got := UnproducedFields(p, known); !slices.Equal(got, c.missing) {
			t.Errorf("%s: missing %q, want %q", c.search, got, c.missing)
		}
	}
}
