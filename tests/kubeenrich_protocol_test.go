package tests

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/kubelens/kubelens/src/chunked"
)

// principal is a kind of caller in the generated events, with the
// k8s_user_kind the enrichment must give it.
type principal struct {
	username string
	uid      string
	groups   []string
	extraArn string
	kind     string
}

var principals = []principal{
	{username: "system:anonymous", groups: []string{"system:unauthenticated"}, kind: "anonymous"},
	{username: "system:serviceaccount:kube-system:coredns", groups: []string{"system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"}, kind: "service_account"},
	{username: "system:node:ip-10-0-3-7.eu-west-1.compute.internal", groups: []string{"system:nodes", "system:authenticated"}, kind: "node"},
	{username: "eks:certificate-controller", groups: []string{"system:authenticated"}, kind: "eks_managed"},
	{username: "system:kube-scheduler", groups: []string{"system:authenticated"}, kind: "control_plane"},
	{username: "dana", uid: "aws-iam-authenticator:111122223333:AROAEXAMPLEROLEID09", groups: []string{"system:authenticated"}, extraArn: "arn:aws:sts::111122223333:assumed-role/eks-admins/dana", kind: "iam_mapped"},
	{username: "oidc:erin@example.com", groups: []string{"oidc:devs", "system:authenticated"}, kind: "user"},
}

// addresses pairs a source IP list with the class of its first element.
var addresses = []struct {
	ips   []string
	class string
}{
	{[]string{"54.240.196.9"}, "public"},
	{[]string{"203.0.113.9"}, "other"}, // documentation range
	{[]string{"10.1.2.3"}, "private"},
	{[]string{"52.94.76.4", "10.0.0.5"}, "public"},
	{[]string{"127.0.0.1"}, "loopback"},
	{[]string{"100.64.1.1"}, "private"},
	{[]string{"169.254.10.1"}, "link_local"},
	{[]string{"2600:1f18::7", "fd00::1"}, "public"},
	{[]string{"2001:db8::7", "fd00::1"}, "other"}, // documentation range
	{[]string{"fe80::1"}, "link_local"},
}

// genRecord is one generated search result and what enrichment must add.
type genRecord struct {
	fields    map[string][]string
	wantKind  string
	wantClass string
	wantIP    string
}

// columns of a generated chunk, in splunkd's order: plain, then __mv_.
var genFields = []string{"_time", "_raw", "host", "index", "source", "sourcetype", "_si", "user.username", "user.groups{}", "sourceIPs{}", "verb", "objectRef.resource", "src_ip", "note"}

func genRecords(rng *rand.Rand, n int) []genRecord {
	out := make([]genRecord, n)
	for i := range out {
		p := principals[rng.IntN(len(principals))]
		a := addresses[rng.IntN(len(addresses))]
		user := map[string]any{"username": p.username, "groups": p.groups}
		if p.uid != "" {
			user["uid"] = p.uid
		}
		if p.extraArn != "" {
			user["extra"] = map[string][]string{"arn": {p.extraArn}}
		}
		ev := map[string]any{
			"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata",
			"auditID": fmt.Sprintf("00000000-0000-4000-8000-%012d", i), "stage": "ResponseComplete",
			"requestURI": "/api/v1/namespaces/shop/pods?limit=500", "verb": "list", "user": user,
			"sourceIPs": a.ips, "userAgent": "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46",
			"objectRef":      map[string]string{"resource": "pods", "namespace": "shop", "apiVersion": "v1"},
			"responseStatus": map[string]any{"metadata": map[string]any{}, "code": 200},
		}
		raw, _ := json.Marshal(ev)
		rawS := string(raw)
		note := []string{"plain"}
		switch i % 5 {
		case 1:
			note = []string{"a,b \"quoted\"", "line\r\nbreak", "$dollar$"}
		case 2:
			note = []string{"ทt 😀"}
		case 3:
			note = nil
		}
		f := map[string][]string{
			"_time": {fmt.Sprintf("%d.%03d", 1763640000+i, i%1000)}, "_raw": {rawS}, "host": {"ip-10-0-0-1"}, "index": {"main"},
			"source":     {"eu-west-1:/aws/eks/prod-eu/cluster:kube-apiserver-audit-0123456789abcdef0123456789abcdef"},
			"sourcetype": {"aws:cloudwatchlogs:eks"}, "_si": {"idx-1", "main"},
			"user.username": {p.username}, "user.groups{}": p.groups, "sourceIPs{}": a.ips, "verb": {"list"},
			"objectRef.resource": {"pods"}, "note": note,
		}
		r := genRecord{fields: f, wantKind: p.kind, wantClass: a.class, wantIP: a.ips[0]}
		if i%2 == 0 {
			f["src_ip"] = []string{"192.0.2.200"} // an existing CIM extraction kubeenrich must keep
			r.wantIP = "192.0.2.200"
		}
		out[i] = r
	}
	return out
}

// splunkdCSV writes records the way splunkd does: every header and value
// that is not purely alphanumeric quoted, LF line ends, plain columns then
// every __mv_ column. It is written independently of package chunked.
func splunkdCSV(recs []genRecord, fields []string) []byte {
	var b bytes.Buffer
	q := func(s string) {
		alnum := s != ""
		for _, c := range s {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
				alnum = false
				break
			}
		}
		if alnum || s == "" {
			b.WriteString(s)
			return
		}
		b.WriteString(`"` + strings.ReplaceAll(s, `"`, `""`) + `"`)
	}
	cols := append(slices.Clone(fields), prefixAll("__mv_", fields)...)
	for i, c := range cols {
		if i > 0 {
			b.WriteByte(',')
		}
		q(c)
	}
	b.WriteByte('\n')
	for _, r := range recs {
		for i, f := range fields {
			if i > 0 {
				b.WriteByte(',')
			}
			q(strings.Join(r.fields[f], "\n"))
		}
		for _, f := range fields {
			b.WriteByte(',')
			if v := r.fields[f]; len(v) > 1 {
				var mv []string
				for _, x := range v {
					mv = append(mv, "$"+strings.ReplaceAll(x, "$", "$$")+"$")
				}
				q(strings.Join(mv, ";"))
			}
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}

func prefixAll(p string, list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = p + s
	}
	return out
}

// TestKubeenrich_ChunkShapes plays splunkd against the built binary with
// every chunk shape splunkd sends and checks each reply: one per request,
// finished copied, records and order kept, every input column echoed with
// identical values, the new fields right.
func TestKubeenrich_ChunkShapes(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	header := splunkdCSV(nil, genFields)
	shapes := []struct {
		name     string
		recs     []genRecord
		body     []byte
		finished bool
	}{
		{name: "empty body"},
		{name: "header only mid-stream", body: header},
		{name: "one record", recs: genRecords(rng, 1)},
		{name: "irregular 6638", recs: genRecords(rng, 6638)},
		{name: "large 30000", recs: genRecords(rng, 30000)},
		{name: "seven", recs: genRecords(rng, 7)},
		{name: "final empty", body: header, finished: true},
	}
	s := startCommand(t, "kubeenrich")
	s.send(getinfoMeta(), nil)
	if info := s.read(); info.raw != `{"type":"streaming"}` || len(info.body) != 0 {
		t.Fatalf("getinfo reply %q with %d body bytes, want {\"type\":\"streaming\"} and none", info.raw, len(info.body))
	}
	for _, sh := range shapes {
		body := sh.body
		if sh.recs != nil {
			body = splunkdCSV(sh.recs, genFields)
		}
		s.send(fmt.Sprintf(`{"action":"execute","finished":%t}`, sh.finished), body)
		r := s.read()
		if r.meta.Finished != sh.finished || r.meta.Error != "" {
			t.Fatalf("%s: reply %s, want finished=%t and no error", sh.name, r.raw, sh.finished)
		}
		checkReply(t, sh.name, sh.recs, r.body)
	}
	rest, stderr, err := s.close()
	if err != nil || len(rest) > 0 || stderr != "" {
		t.Errorf("after the last reply: exit %v, %d more stdout bytes, stderr %q; want a clean exit and silence", err, len(rest), stderr)
	}
}

func checkReply(t *testing.T, name string, recs []genRecord, body []byte) {
	t.Helper()
	if len(recs) == 0 {
		if len(body) != 0 {
			t.Errorf("%s: %d body bytes for no records, want none", name, len(body))
		}
		return
	}
	out, err := chunked.DecodeTable(body)
	if err != nil {
		t.Fatalf("%s: reply body: %v", name, err)
	}
	if out.Len() != len(recs) {
		t.Fatalf("%s: %d records back, want %d", name, out.Len(), len(recs))
	}
	cols := out.Columns()
	for _, f := range append(slices.Clone(genFields), prefixAll("__mv_", genFields)...) {
		if !slices.Contains(cols, f) {
			t.Fatalf("%s: input column %q missing from the reply header %q", name, f, cols)
		}
	}
	for _, f := range []string{"src_ip", "k8s_src_ip_class", "k8s_user_kind", "eks_cluster_name"} {
		if !slices.Contains(cols, f) {
			t.Fatalf("%s: new field %q missing from the reply header", name, f)
		}
	}
	for i, want := range recs {
		got := out.Record(i)
		for _, f := range genFields {
			if f == "src_ip" {
				continue
			}
			w := want.fields[f]
			if g := got.Values(f); !slices.Equal(g, w) && !(len(g) == 0 && len(w) == 0) {
				t.Fatalf("%s: record %d field %q = %q, want %q", name, i, f, g, w)
			}
			wantMV := ""
			if len(w) > 1 {
				wantMV = chunked.EncodeMV(w)
			}
			if g := out.Cell(i, "__mv_"+f); g != wantMV {
				t.Fatalf("%s: record %d column __mv_%s = %q, want %q", name, i, f, g, wantMV)
			}
		}
		checks := map[string]string{
			"src_ip": want.wantIP, "k8s_src_ip_class": want.wantClass,
			"k8s_user_kind": want.wantKind, "eks_cluster_name": "prod-eu", "eks_region": "eu-west-1", "eks_log_type": "audit",
		}
		for f, w := range checks {
			if g := got.Value(f); g != w {
				t.Fatalf("%s: record %d %s = %q, want %q", name, i, f, g, w)
			}
		}
	}
}

// TestKubeenrich_SelectedFieldsMode verifies the _chunked_idx column of
// splunkd's selected-fields mode comes back with every row in order.
func TestKubeenrich_SelectedFieldsMode(t *testing.T) {
	recs := genRecords(rand.New(rand.NewPCG(3, 4)), 50)
	for i := range recs {
		recs[i].fields["_chunked_idx"] = []string{fmt.Sprint(i)}
	}
	fields := []string{"_raw", "source", "_chunked_idx"}
	s := startCommand(t, "kubeenrich")
	s.send(getinfoMeta(), nil)
	s.read()
	s.send(`{"action":"execute","finished":true}`, splunkdCSV(recs, fields))
	out, err := chunked.DecodeTable(s.read().body)
	if err != nil {
		t.Fatal(err)
	}
	for i := range recs {
		if got := out.Record(i).Value("_chunked_idx"); got != fmt.Sprint(i) {
			t.Fatalf("record %d has _chunked_idx %q", i, got)
		}
		if got, want := out.Record(i).Value("k8s_user_kind"), recs[i].wantKind; got != want {
			t.Fatalf("record %d from _raw alone: k8s_user_kind %q, want %q", i, got, want)
		}
	}
	if _, _, err := s.close(); err != nil {
		t.Errorf("exit: %v", err)
	}
}
