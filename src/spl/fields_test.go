package spl_test

import (
	"sort"
	"strings"
	"testing"

	"github.com/kubelens/kubelens/src/spl"
)

func TestFields(t *testing.T) {
	cases := []struct {
		search string
		want   string // sorted, comma separated; "*" for every field
	}{
		{"index=x | eval a=1", "*"},
		{"index=x | stats count min(_time) as firstTime values(k8s_object) AS k8s_object values(verb) by user src_ip", "count,firstTime,k8s_object,src_ip,user,values(verb)"},
		{"x | stats count by a, b | eval c=if(a==1, \"x,y\", b), d=2 | rename a as e, \"b\" AS f", "c,count,d,e,f"},
		{"x | stats count by a | lookup kubelens_risk_signals signal AS risk_signal OUTPUT score AS risk_score, message AS risk_message, mitre_technique_id", "a,count,mitre_technique_id,risk_message,risk_score"},
		{"x | top limit=20 src_ip user verb", "count,percent,src_ip,user,verb"},
		{"x | rare limit=20 user annotations.authorization.k8s.io/reason", "annotations.authorization.k8s.io/reason,count,percent,user"},
		{"x | iplocation src_ip | stats count by src_ip Country City | where count > 5", "City,Country,count,src_ip"},
		{"x | stats count by cluster_name | rex field=cluster_name \"/aws/eks/(?<k8s_cluster>[^/]+)/cluster\"", "cluster_name,count,k8s_cluster"},
		{"x | table a, b c | fields - b | fillnull value=0 d", "a,c,d"},
		{"x | timechart span=1h count by user", "_time,count,user"},
		{"x | stats count as n | eventstats max(n) as top", "n,top"},
	}
	for _, tc := range cases {
		p, err := spl.Parse(tc.search)
		if err != nil {
			t.Fatal(err)
		}
		fields, all := p.Fields()
		got := "*"
		if !all {
			var names []string
			for f := range fields {
				names = append(names, f)
			}
			sort.Strings(names)
			got = strings.Join(names, ",")
		}
		if got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.search, got, tc.want)
		}
	}
}
