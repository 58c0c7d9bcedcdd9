package searchcmd_test

import (
	"bytes"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/kubelens/kubelens/src/chunked"
	"github.com/kubelens/kubelens/src/enrich"
	"github.com/kubelens/kubelens/src/searchcmd"
)

func TestParseOptions(t *testing.T) {
	cases := []struct {
		args    []string
		want    searchcmd.Options
		wantErr string
	}{
		{args: nil, want: searchcmd.Options{}},
		{args: []string{"fields=identity,source"}, want: searchcmd.Options{Groups: []enrich.Group{"identity", "source"}}},
		{args: []string{"fields=EKS, detections"}, want: searchcmd.Options{Groups: []enrich.Group{"eks", "detections"}}},
		{args: []string{"prefix=kl_", "fields=eks"}, want: searchcmd.Options{Prefix: "kl_", Groups: []enrich.Group{"eks"}}},
		{args: []string{"bogus=1"}, wantErr: `unknown option "bogus"`},
		{args: []string{"identity"}, wantErr: `unexpected argument "identity"`},
		{args: []string{"fields=identity,nope"}, wantErr: `unknown field group "nope"`},
		{args: []string{"fields="}, wantErr: "fields= is empty"},
		{args: []string{"prefix=a b"}, wantErr: "prefix="},
		{args: []string{"prefix=__mv_"}, wantErr: "prefix="},
		{args: []string{"prefix=_x"}, wantErr: "prefix="},
		{args: []string{"prefix=$x"}, wantErr: "prefix="},
		{args: []string{"prefix=a\nb"}, wantErr: "prefix="},
		{args: []string{"prefix=kl.v2-"}, want: searchcmd.Options{Prefix: "kl.v2-"}},
		{args: []string{"prefix=" + strings.Repeat("k", 64)}, want: searchcmd.Options{Prefix: strings.Repeat("k", 64)}},
		{args: []string{"prefix=" + strings.Repeat("k", 65)}, wantErr: "prefix="},
		{args: []string{"prefix=1x"}, wantErr: "prefix="},
		{args: []string{"prefix=x\u00e9"}, wantErr: "prefix="},
		{args: []string{"prefix=xé"}, wantErr: "prefix="},
		{args: []string{"prefix="}, wantErr: "prefix="},
		{args: []string{"prefix=a", "prefix=b"}, wantErr: "prefix= given twice"},
	}
	for _, tc := range cases {
		got, err := searchcmd.ParseOptions(tc.args)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%q: error %v, want %q", tc.args, err, tc.wantErr)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q: got %+v, %v; want %+v", tc.args, got, err, tc.want)
		}
	}
}

func run(t *testing.T, args []string, columns []string, rows ...[]string) *chunked.Table {
	t.Helper()
	c := searchcmd.New(filepath.Join("..", "..", "lookups"))
	cfg, err := c.GetInfo(&chunked.GetInfoRequest{Action: "getinfo", SearchInfo: chunked.SearchInfo{Args: args}})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Type != "streaming" || cfg.RequiredFields != nil {
		t.Errorf("config %+v: want streaming without required fields", cfg)
	}
	tb := chunked.NewTable(columns)
	for _, r := range rows {
		tb.AppendRow(r...)
	}
	var msgs chunked.Messages
	if err := c.Execute(t.Context(), tb, &msgs); err != nil {
		t.Fatal(err)
	}
	return tb
}

const anonRaw = `{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"a","stage":"ResponseComplete","user":{"username":"system:anonymous","groups":["system:unauthenticated"]},"sourceIPs":["203.0.113.1"]}`

// TestExecute_CIMFieldsNeverOverwritten verifies src_ip and user are filled
// only where the input has no value, while k8s_ fields are always ours.
func TestExecute_CIMFieldsNeverOverwritten(t *testing.T) {
	tb := run(t, nil, []string{"_raw", "src_ip", "k8s_user_kind"},
		[]string{anonRaw, "198.51.100.9", "stale"},
		[]string{anonRaw, "", ""})
	if got := tb.Record(0).Value("src_ip"); got != "198.51.100.9" {
		t.Errorf("existing src_ip overwritten with %q", got)
	}
	if got := tb.Record(1).Value("src_ip"); got != "203.0.113.1" {
		t.Errorf("empty src_ip filled with %q", got)
	}
	if got := tb.Record(0).Value("k8s_user_kind"); got != "anonymous" {
		t.Errorf("k8s_user_kind %q, want ours", got)
	}
}

// TestExecute_PrefixAndGroups verifies prefix= renames every added field
// (the CIM ones included, which are then always written) and fields=
// limits the groups.
func TestExecute_PrefixAndGroups(t *testing.T) {
	tb := run(t, []string{"prefix=kl_", "fields=source,eks"}, []string{"_raw", "src_ip", "source"},
		[]string{anonRaw, "198.51.100.9", "us-east-1:/aws/eks/demo/cluster:kube-apiserver-audit-1"})
	r := tb.Record(0)
	if r.Value("kl_src_ip") != "203.0.113.1" || r.Value("src_ip") != "198.51.100.9" || r.Value("kl_eks_cluster_name") != "demo" {
		t.Errorf("columns %q, row %q %q %q", tb.Columns(), r.Value("kl_src_ip"), r.Value("src_ip"), r.Value("kl_eks_cluster_name"))
	}
	for _, c := range tb.Columns() {
		if strings.Contains(c, "user") {
			t.Errorf("identity field %q added although fields=source,eks", c)
		}
	}
}

// TestExecute_EmptyRecordPassesThrough verifies a record missing every
// field comes back unchanged, with our fields empty.
func TestExecute_EmptyRecordPassesThrough(t *testing.T) {
	tb := run(t, nil, []string{"_time", "host"}, []string{"", ""}, []string{"1700000000", "h"})
	if tb.Len() != 2 || tb.Record(1).Value("host") != "h" || tb.Record(1).Value("_time") != "1700000000" {
		t.Fatalf("rows changed: %q", tb.AppendCSV(nil))
	}
	for _, f := range enrich.Catalogue {
		if v := tb.Record(0).Value(f.Name); v != "" {
			t.Errorf("%s = %q for an empty record", f.Name, v)
		}
	}
}

// TestExecute_CachesSurviveBufferReuse verifies values cached from one
// chunk are still right after the next chunk overwrote the reused read
// buffer (the user agent cache once kept substrings of it).
func TestExecute_CachesSurviveBufferReuse(t *testing.T) {
	const ua = "kubectl/v1.31.2 (darwin/arm64) kubernetes/abc"
	var in bytes.Buffer
	w := chunked.NewWriter(&in)
	w.WriteChunk([]byte(`{"action":"getinfo","searchinfo":{"args":[]}}`), nil)
	// Unquoted cells alias the read buffer. The second body is shorter, so
	// it lands in the same buffer, with the user agent at other offsets.
	w.WriteChunk([]byte(`{"action":"execute","finished":false}`), []byte("pad,user.username,userAgent\n"+strings.Repeat("z", 40)+",u,"+ua+"\n"))
	w.WriteChunk([]byte(`{"action":"execute","finished":true}`), []byte("userAgent,x\n"+ua+","+strings.Repeat("y", 55)+"\n"))
	var out bytes.Buffer
	if err := chunked.Serve(t.Context(), &in, &out, searchcmd.New(filepath.Join("..", "..", "lookups")), chunked.Options{}); err != nil {
		t.Fatal(err)
	}
	r := chunked.NewReader(&out)
	r.ReadChunk()
	for i := 0; i < 2; i++ {
		c, err := r.ReadChunk()
		if err != nil {
			t.Fatal(err)
		}
		tb, err := chunked.DecodeTable(c.Body)
		if err != nil {
			t.Fatal(err)
		}
		rec := tb.Record(0)
		if got := rec.Value("k8s_ua_version") + " " + rec.Value("k8s_client_os") + "/" + rec.Value("k8s_client_arch"); got != "v1.31.2 darwin/arm64" {
			t.Errorf("chunk %d: user agent fields %q", i+1, got)
		}
	}
}

// TestExecute_ControlMessagesAreNoted verifies a CloudWatch Logs
// subscription's control messages (Firehose delivers its health checks
// like the rest) pass through with an INFO, not a WARN, and that an empty
// Azure batch is not called an EventList.
func TestExecute_ControlMessagesAreNoted(t *testing.T) {
	c := searchcmd.New(filepath.Join("..", "..", "lookups"))
	if _, err := c.GetInfo(&chunked.GetInfoRequest{Action: "getinfo"}); err != nil {
		t.Fatal(err)
	}
	tb := chunked.NewTable([]string{"_raw"})
	tb.AppendRow(`{"messageType":"CONTROL_MESSAGE","owner":"CloudwatchLogs","logGroup":"","logStream":"","subscriptionFilters":[],"logEvents":[{"id":"","timestamp":1795165200000,"message":"CWL CONTROL MESSAGE: Checking health of destination Firehose."}]}`)
	tb.AppendRow(`{"records":[]}`)
	var msgs chunked.Messages
	if err := c.Execute(t.Context(), tb, &msgs); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range msgs.List() {
		got = append(got, m.Level+" "+m.Text)
	}
	all := strings.Join(got, "\n")
	if !strings.Contains(all, "INFO kubeenrich: CloudWatch Logs subscription control messages") || strings.Contains(all, "EventList") {
		t.Errorf("messages:\n%s", all)
	}
	if n := strings.Count(all, "WARN"); n != 1 {
		t.Errorf("%d WARN messages, want one (the empty batch):\n%s", n, all)
	}
}
