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
		// kubeenrich adds the groups its fields= selects, under its prefix=.
		{`index=* | kubeenrich | stats count by k8s_user_kind k8s_platform`, nil},
		{`index=* | kubeenrich fields=cluster,identity | stats count by k8s_user_kind k8s_platform`, nil},
		{`index=* | kubeenrich fields=eks | stats count by eks_cluster_name k8s_user_kind`, []string{"k8s_user_kind"}},
		{`index=* | kubeenrich prefix=kl_ | stats count by kl_k8s_platform k8s_user_kind`, []string{"k8s_user_kind"}},
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

// TestNotEnriched: the risk check names the kubeenrich fields a search's
// risk settings need but its kubeenrich leaves out.
func TestNotEnriched(t *testing.T) {
	for _, c := range []struct {
		search string
		want   []string
	}{
		{`index=* | kubeenrich | stats count by user k8s_cluster`, nil},
		{`index=* | kubeenrich fields=eks,identity,source | stats count by user k8s_cluster`, []string{"k8s_cluster (group cluster)"}},
		{`index=* | kubeenrich fields=cluster | stats count by user k8s_cluster`, []string{"src_ip (group source)"}},
		{`index=* | stats count by user k8s_cluster`, nil},
	} {
		p, err := spl.Parse(c.search)
		if err != nil {
			t.Fatal(err)
		}
		if got := notEnriched(p, []string{"k8s_cluster", "src_ip", "count"}); !slices.Equal(got, c.want) {
			t.Errorf("%s: %q, want %q", c.search, got, c.want)
		}
	}
}
