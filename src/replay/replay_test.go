package replay_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"unicode"

	"github.com/kubelens/kubelens/src/chunked"
	"github.com/kubelens/kubelens/src/replay"
	"github.com/kubelens/kubelens/src/searchcmd"
)

var update = flag.Bool("update", false, "rewrite the golden files")

const ev1 = `{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"a1","stage":"ResponseComplete","verb":"list","user":{"username":"system:anonymous","groups":["system:unauthenticated"]},"sourceIPs":["203.0.113.5"],"stageTimestamp":"2026-11-20T09:00:00.250000Z"}`
const ev2 = `{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"a2","stage":"ResponseComplete","verb":"get","user":{"username":"system:node:n1","groups":["system:nodes"]},"sourceIPs":["10.0.0.3"]}`

// TestReadRecords_Formats verifies every input format gives the same
// records, with CloudWatch's stream and timestamp where it has them.
func TestReadRecords_Formats(t *testing.T) {
	plain := []replay.LogRecord{{Message: ev1}, {Message: ev2}}
	cw := []replay.LogRecord{{Stream: "kube-apiserver-audit-aa", TimestampMs: 1795165200250, Message: ev1}, {Stream: "kube-apiserver-audit-aa", TimestampMs: 1795165201000, Message: ev2}}
	cwRec := func(ts, msg string) string {
		return `{"logStreamName":"kube-apiserver-audit-aa","timestamp":` + ts + `,"message":` + quote(msg) + `,"ingestionTime":1795165203000,"eventId":"1"}`
	}
	cases := []struct {
		name, in string
		want     []replay.LogRecord
	}{
		{"json lines", ev1 + "\n" + ev2 + "\n", plain},
		{"json array", "[\n  " + ev1 + ",\n  " + ev2 + "\n]", plain},
		{"pretty printed", strings.ReplaceAll(ev1, ",", ",\n  ") + "\n" + ev2, plain},
		{"event list", `{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},"items":[` + ev1 + "," + ev2 + "]}", plain},
		{"filter-log-events output", `{"events":[` + cwRec("1795165200250", ev1) + "," + cwRec("1795165201000", ev2) + `],"searchedLogStreams":[]}`, cw},
		{"cloudwatch records as lines", cwRec("1795165200250", ev1) + "\n" + cwRec("1795165201000", ev2), cw},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := replay.ReadRecords(strings.NewReader(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v\nwant %+v", got, tc.want)
			}
		})
	}
	// A subscription message is one record, as Firehose delivers it
	// without message extraction; its time is its first event's.
	sub := `{"messageType":"DATA_MESSAGE","logGroup":"/aws/eks/demo/cluster","logStream":"kube-apiserver-audit-aa","logEvents":[{"id":"1","timestamp":1795165200250,"message":` + quote(ev1) + `},{"id":"2","timestamp":1795165201000,"message":` + quote(ev2) + `}]}`
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, []byte(sub), "", "  "); err != nil {
		t.Fatal(err)
	}
	got, err := replay.ReadRecords(&pretty)
	if err != nil || len(got) != 1 || got[0].Message != sub || got[0].TimestampMs != 1795165200250 || got[0].Stream != "" {
		t.Errorf("subscription message: %+v %v", got, err)
	}
	if _, err := replay.ReadRecords(strings.NewReader(ev1 + "\n{broken")); err == nil || !strings.Contains(err.Error(), "JSON value 2") {
		t.Errorf("broken input: %v, want an error naming JSON value 2", err)
	}
}

func quote(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`
}

// TestIndexing_Table verifies the records look as splunkd would send them:
// eks_logs's source, _time from CloudWatch or the event, and the fields
// Splunk's JSON extraction adds.
func TestIndexing_Table(t *testing.T) {
	ix := replay.Indexing{Region: "eu-west-1", Cluster: "prod"}
	tb := ix.Table([]replay.LogRecord{{Message: ev1}, {Stream: "authenticator-1", TimestampMs: 1795165200123, Message: "level=info msg=x"}})
	r0, r1 := tb.Record(0), tb.Record(1)
	if got := r0.Value("source"); !strings.HasPrefix(got, "eu-west-1:/aws/eks/prod/cluster:kube-apiserver-audit-") || len(got) != len("eu-west-1:/aws/eks/prod/cluster:kube-apiserver-audit-")+32 {
		t.Errorf("source %q", got)
	}
	if r0.Value("_time") != "1795165200.250000" || r1.Value("_time") != "1795165200.123" {
		t.Errorf("_time %q, %q", r0.Value("_time"), r1.Value("_time"))
	}
	if got := r0.Values("user.groups{}"); !reflect.DeepEqual(got, []string{"system:unauthenticated"}) {
		t.Errorf("user.groups{} %q", got)
	}
	if r1.Value("source") != "eu-west-1:/aws/eks/prod/cluster:authenticator-1" || r1.Value("verb") != "" {
		t.Errorf("authenticator record: source %q verb %q", r1.Value("source"), r1.Value("verb"))
	}
	raw := replay.Indexing{Region: "eu-west-1", Cluster: "prod", RawOnly: true}.Table([]replay.LogRecord{{Message: ev1}})
	if got := raw.Fields(); !reflect.DeepEqual(got, []string{"_time", "_raw", "host", "index", "source", "sourcetype"}) {
		t.Errorf("raw-only fields %q", got)
	}
}

// TestRun_Golden replays the bundled samples through the search command
// and compares the printed table and JSON lines with reviewed golden files
// (go test ./src/replay -update rewrites them).
func TestRun_Golden(t *testing.T) {
	for _, tc := range []struct {
		sample, golden string
		cfg            replay.Config
	}{
		{"eks_audit_events.jsonl", "demo.table.golden", replay.Config{}},
		{"eks_audit_events.jsonl", "demo.jsonl.golden", replay.Config{JSON: true, ChunkRecords: 7}},
		{"eks_filter_log_events.json", "filter_log_events.table.golden", replay.Config{Fields: []string{"_time", "eks_log_type", "k8s_user_kind", "src_ip"}}},
		// One sample per record shape, in the view that shows what each
		// shape gives.
		{"aks_audit_records.jsonl", "aks.table.golden", replay.Config{Fields: shapeColumns}},
		{"gke_audit_entries.jsonl", "gke.table.golden", replay.Config{Fields: shapeColumns}},
		{"eks_firehose_subscription.jsonl", "firehose_subscription.table.golden", replay.Config{Fields: shapeColumns}},
		{"openshift_audit_events.jsonl", "openshift.table.golden", replay.Config{Fields: shapeColumns, Indexing: replay.Indexing{Sourcetype: "kube:apiserver:audit", Source: "/var/log/kube-apiserver/audit.log"}}},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			f, err := os.Open(filepath.Join("..", "..", "app", "samples", tc.sample))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			cfg := tc.cfg
			cfg.Indexing.Region, cfg.Indexing.Cluster = "us-east-1", "demo"
			var got bytes.Buffer
			msgs, err := replayTo(t, &got, cfg, replay.Decode(f))
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range msgs {
				got.WriteString(m.Level + " " + m.Text + "\n")
			}
			path := filepath.Join("testdata", tc.golden)
			if *update {
				if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				gl, wl := strings.Split(got.String(), "\n"), strings.Split(string(want), "\n")
				for i := range max(len(gl), len(wl)) {
					var g, w string
					if i < len(gl) {
						g = gl[i]
					}
					if i < len(wl) {
						w = wl[i]
					}
					if g != w {
						t.Fatalf("output differs from %s (go test ./src/replay -update rewrites it; review the diff) at line %d:\ngot:  %.300s\nwant: %.300s", path, i+1, g, w)
					}
				}
			}
		})
	}
}

// shapeColumns are the columns of the record shapes' goldens: what each
// shape gives, kubelens findings and risk included.
var shapeColumns = []string{"_time", "sourcetype", "source", "k8s_platform", "k8s_cluster", "k8s_user_kind", "user", "src_ip", "k8s_action", "k8s_resource",
	"k8s_namespace_class", "k8s_outcome", "k8s_is_final", "k8s_event_count", "k8s_findings", "k8s_risk_score", "k8s_detections", "k8s_detections_partial"}

// TestIndexing_Shapes verifies each record shape gets its sourcetype and
// no EKS source, unless --sourcetype or --source is given: then every
// record gets the flags, and without --source the EKS source only for a
// CloudWatch Logs sourcetype.
func TestIndexing_Shapes(t *testing.T) {
	gke := `{"data":{"protoPayload":{"serviceName":"k8s.io","methodName":"io.k8s.core.v1.pods.list","resourceName":"core/v1/pods","authenticationInfo":{"principalEmail":"a@example.com"}},"timestamp":"2026-11-20T09:00:00Z"}}`
	aks := `{"category":"kube-audit","resourceId":"/SUBSCRIPTIONS/0/RESOURCEGROUPS/G/PROVIDERS/MICROSOFT.CONTAINERSERVICE/MANAGEDCLUSTERS/C","properties":{"log":` + quote(ev1) + `},"time":"2026-11-20T09:00:01Z"}`
	sub := `{"logGroup":"/aws/eks/c/cluster","logStream":"kube-apiserver-audit-1","logEvents":[{"timestamp":1795165200000,"message":` + quote(ev1) + `}]}`
	recs := []replay.LogRecord{{Message: ev1}, {Message: gke}, {Message: aks}, {Message: sub, TimestampMs: 1795165200000}}
	for _, tc := range []struct {
		ix               replay.Indexing
		sourcetypes      []string
		eksSource, other string
	}{
		{replay.Indexing{Region: "eu-west-1", Cluster: "prod"}, []string{"aws:cloudwatchlogs:eks", "google:gcp:pubsub:message", "mscs:azure:eventhub", "aws:cloudwatchlogs"}, "eu-west-1:/aws/eks/prod/cluster:kube-apiserver-audit-", "kubelens:replay"},
		{replay.Indexing{Region: "eu-west-1", Cluster: "prod", Sourcetype: "kube:apiserver-audit"}, []string{"kube:apiserver-audit", "kube:apiserver-audit", "kube:apiserver-audit", "kube:apiserver-audit"}, "kubelens:replay", "kubelens:replay"},
		{replay.Indexing{Region: "eu-west-1", Cluster: "prod", Sourcetype: "aws:cloudwatchlogs"}, []string{"aws:cloudwatchlogs", "aws:cloudwatchlogs", "aws:cloudwatchlogs", "aws:cloudwatchlogs"}, "eu-west-1:/aws/eks/prod/cluster:kube-apiserver-audit-", "eu-west-1:/aws/eks/prod/cluster:kube-apiserver-audit-"},
		{replay.Indexing{Region: "eu-west-1", Cluster: "prod", Source: "/var/log/audit.log"}, []string{"aws:cloudwatchlogs:eks", "aws:cloudwatchlogs:eks", "aws:cloudwatchlogs:eks", "aws:cloudwatchlogs:eks"}, "/var/log/audit.log", "/var/log/audit.log"},
	} {
		tb := tc.ix.Table(recs)
		for i := range recs {
			r := tb.Record(i)
			wantSource := tc.other
			if i == 0 {
				wantSource = tc.eksSource
			}
			if r.Value("sourcetype") != tc.sourcetypes[i] || !strings.HasPrefix(r.Value("source"), wantSource) {
				t.Errorf("%+v record %d: sourcetype %q source %q, want %q and %q", tc.ix, i, r.Value("sourcetype"), r.Value("source"), tc.sourcetypes[i], wantSource)
			}
			if r.Value("_time") == "" {
				t.Errorf("record %d has no _time", i)
			}
		}
	}
}

// TestReadRecords_OldEventsWithTimestamp verifies an audit event with its
// own "timestamp" string (v1beta1) is an event, not a CloudWatch record.
func TestReadRecords_OldEventsWithTimestamp(t *testing.T) {
	ev := `{"kind":"Event","apiVersion":"audit.k8s.io/v1beta1","timestamp":"2017-09-11T19:55:05Z","auditID":"x","stage":"ResponseComplete","verb":"get","message":"not CloudWatch's"}`
	got, err := replay.ReadRecords(strings.NewReader(ev))
	if err != nil || len(got) != 1 || got[0].Message != ev || got[0].TimestampMs != 0 {
		t.Errorf("got %+v, %v", got, err)
	}
}

// TestReadRecords_OddObjectsPassThrough verifies a JSON object of another
// shape is replayed as it is rather than failing the file.
func TestReadRecords_OddObjectsPassThrough(t *testing.T) {
	got, err := replay.ReadRecords(strings.NewReader(`{"kind":0}` + "\n" + ev1))
	if err != nil || len(got) != 2 || got[0].Message != `{"kind":0}` {
		t.Errorf("got %+v, %v", got, err)
	}
}

// TestReadRecords_DeepNestingRefused verifies records nested in lists
// deeper than any real export are refused with a clear error rather than
// copied once per level.
func TestReadRecords_DeepNestingRefused(t *testing.T) {
	ev := `{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"a","stage":"ResponseComplete","verb":"get"}`
	ok := "[[" + ev + "]]"
	if recs, err := replay.ReadRecords(strings.NewReader(ok)); err != nil || len(recs) != 1 {
		t.Errorf("two lists: %d records, %v", len(recs), err)
	}
	deep := strings.Repeat("[", 500) + ev + strings.Repeat("]", 500)
	if _, err := replay.ReadRecords(strings.NewReader(deep)); err == nil || !strings.Contains(err.Error(), "nested deeper") {
		t.Errorf("500 lists: %v, want a refusal", err)
	}
}

// TestPrint_ControlCharactersShownEscaped verifies the table view never
// passes a terminal escape sequence from an event to the terminal.
func TestPrint_ControlCharactersShownEscaped(t *testing.T) {
	ev := `{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"a","stage":"ResponseComplete","verb":"get","user":{"username":"eve\u001b]0;owned\u0007\u001b[2J"},"objectRef":{"resource":"pods","name":"p\u009b31m"}}`
	recs, err := replay.ReadRecords(strings.NewReader(ev))
	if err != nil {
		t.Fatal(err)
	}
	cfg := replay.Config{Indexing: replay.Indexing{Region: "us-east-1", Cluster: "c"}, ChunkRecords: 10, Fields: []string{"k8s_user", "k8s_object"}}
	var out strings.Builder
	if _, err := replayTo(t, &out, cfg, replay.Records(recs)); err != nil {
		t.Fatal(err)
	}
	for _, c := range out.String() {
		if unicode.IsControl(c) && c != '\n' {
			t.Fatalf("the table holds control character %U:\n%q", c, out.String())
		}
	}
	if !strings.Contains(out.String(), `eve\x1b]0;owned\x07\x1b[2J`) {
		t.Errorf("the escaped user name is not shown:\n%s", out.String())
	}
}

// TestTable_ExtractsOnlyWhatIsRead verifies that with Extract set, keys
// of their own in each event do not become columns: a table of events
// times keys would be quadratic in the file.
func TestTable_ExtractsOnlyWhatIsRead(t *testing.T) {
	var recs []replay.LogRecord
	for i := 0; i < 500; i++ {
		recs = append(recs, replay.LogRecord{Message: `{"kind":"Event","apiVersion":"audit.k8s.io/v1","verb":"get","data":{"k` + strings.Repeat("x", i) + `":1}}`})
	}
	read := func(f string) bool { return f == "verb" }
	tb := replay.Indexing{Region: "us-east-1", Cluster: "c", Extract: read}.Table(recs)
	if n := len(tb.Columns()); n > 20 {
		t.Errorf("%d columns: %v", n, tb.Columns()[:20])
	}
	if got := tb.Record(0).Value("verb"); got != "get" {
		t.Errorf("verb = %q", got)
	}
}

// TestPrint_FieldsChecked verifies --fields refuses a name no record has
// and kubeenrich never adds, accepts one it adds even when empty, and
// keeps two columns that differ only by k8s_ apart in the header.
func TestPrint_FieldsChecked(t *testing.T) {
	ev := `{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"a","stage":"ResponseComplete","verb":"get","user":{"username":"bob"},"objectRef":{"resource":"pods"}}`
	recs, err := replay.ReadRecords(strings.NewReader(ev))
	if err != nil {
		t.Fatal(err)
	}
	run := func(args []string, fields ...string) (string, error) {
		cfg := replay.Config{Indexing: replay.Indexing{Region: "us-east-1", Cluster: "c"}, Args: args, ChunkRecords: 10, Fields: fields}
		var out strings.Builder
		_, err := replayTo(t, &out, cfg, replay.Records(recs))
		return out.String(), err
	}
	if _, err := run(nil, "k8s_usr"); err == nil || !strings.Contains(err.Error(), `"k8s_usr"`) {
		t.Errorf("a misspelt field: %v, want an error naming it", err)
	}
	if _, err := run(nil, "risk_score"); err == nil || !strings.Contains(err.Error(), "did you mean k8s_risk_score?") {
		t.Errorf("a table header for a field: %v, want the field's name suggested", err)
	}
	if _, err := run(nil, "k8s_exec_command", "verb"); err != nil {
		t.Errorf("a field kubeenrich adds, empty here: %v", err)
	}
	if _, err := run([]string{"prefix=kl_"}, "kl_k8s_user"); err != nil {
		t.Errorf("a prefixed field: %v", err)
	}
	if out, err := run([]string{"prefix=kl_"}); err != nil || !strings.Contains(strings.SplitN(out, "\n", 2)[0], "kl_k8s_user_kind") {
		t.Errorf("the default view under prefix=kl_ (%v):\n%s", err, out)
	}
	out, err := run(nil, "user", "k8s_user", "k8s_action")
	if err != nil {
		t.Fatal(err)
	}
	if header := strings.Fields(strings.SplitN(out, "\n", 2)[0]); !slices.Equal(header, []string{"user", "k8s_user", "action"}) {
		t.Errorf("header %q", header)
	}
}

// replayTo replays src with the shipped lookups and prints the result to
// w as kubeenrich replay does: the run's error, else the printer's.
func replayTo(t *testing.T, w io.Writer, cfg replay.Config, src replay.Source) ([]chunked.Message, error) {
	t.Helper()
	p := replay.NewPrinter(w, cfg)
	msgs, err := replay.Run(t.Context(), cfg, src, searchcmd.New(filepath.Join("..", "..", "lookups")), p.Chunk)
	if err != nil {
		return msgs, err
	}
	return msgs, p.Flush()
}

// TestRun_StreamsOneChunkAtATime verifies that Run reads its source only
// as the command asks for chunks: when a reply comes back, the source has
// yielded no more than that chunk, the one the command may already be
// enriching, the one waiting to be written to it, and the record that
// showed that one was not the last. Every record comes back once, in
// order.
func TestRun_StreamsOneChunkAtATime(t *testing.T) {
	const size, n = 4, 41
	var yielded atomic.Int64 // the source runs on a goroutine of Run's
	src := func(yield func(replay.LogRecord) error) error {
		for i := range n {
			yielded.Add(1)
			ev := strings.Replace(ev2, `"a2"`, fmt.Sprintf(`"id-%d"`, i), 1)
			if err := yield(replay.LogRecord{Message: ev}); err != nil {
				return err
			}
		}
		return nil
	}
	cfg := replay.Config{Indexing: replay.Indexing{Region: "us-east-1", Cluster: "c"}, ChunkRecords: size}
	var ids []string
	replies := 0
	_, err := replay.Run(t.Context(), cfg, src, searchcmd.New(filepath.Join("..", "..", "lookups")), func(in, out *chunked.Table) error {
		replies++
		if limit := int64((replies+2)*size + 1); yielded.Load() > limit {
			t.Errorf("reply %d: the source had yielded %d records, more than %d", replies, yielded.Load(), limit)
		}
		for i := range out.Len() {
			var ev struct{ AuditID string }
			json.Unmarshal([]byte(out.Record(i).Value("_raw")), &ev)
			ids = append(ids, ev.AuditID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if replies != (n+size-1)/size || len(ids) != n || ids[0] != "id-0" || ids[n-1] != fmt.Sprintf("id-%d", n-1) {
		t.Errorf("%d replies, %d records (%v), want %d and %d in order", replies, len(ids), ids, (n+size-1)/size, n)
	}
}

// TestRun_StopsOnErrors verifies that an unreadable value in the source
// and a printer that cannot write both end the run with their own error,
// without waiting on the command, and that an empty source is one empty
// chunk.
func TestRun_StopsOnErrors(t *testing.T) {
	cmd := func() chunked.Command { return searchcmd.New(filepath.Join("..", "..", "lookups")) }
	cfg := replay.Config{Indexing: replay.Indexing{Region: "us-east-1", Cluster: "c"}, ChunkRecords: 1}
	rows := 0
	count := func(in, out *chunked.Table) error { rows += out.Len(); return nil }
	_, err := replay.Run(t.Context(), cfg, replay.Decode(strings.NewReader(ev1+"\n"+ev2+"\n{broken")), cmd(), count)
	var ve *replay.ValueError
	if !errors.As(err, &ve) || ve.N != 3 || rows != 2 {
		t.Errorf("a broken third value: err %v, %d rows before it, want its error after both records", err, rows)
	}
	stop := errors.New("stdout closed")
	calls := 0
	_, err = replay.Run(t.Context(), cfg, replay.Decode(strings.NewReader(strings.Repeat(ev1+"\n", 50))), cmd(), func(in, out *chunked.Table) error {
		calls++
		return stop
	})
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("a printer that fails: err %v after %d replies, want its error after the first", err, calls)
	}
	bad := cfg
	bad.Args = []string{"fields=bogus"}
	if _, err = replay.Run(t.Context(), bad, replay.Records([]replay.LogRecord{{Message: ev1}}), cmd(), count); err == nil || !strings.HasPrefix(err.Error(), "searchcmd: fields=bogus") {
		t.Errorf("an option the command refuses: %v, want its own error", err)
	}
	rows = 0
	msgs, err := replay.Run(t.Context(), cfg, replay.Records(nil), cmd(), count)
	if err != nil || rows != 0 {
		t.Errorf("no records: err %v, %d rows, messages %v", err, rows, msgs)
	}
}

// TestPrinter_JSONFieldsShownLater verifies --fields naming a field only a
// later chunk has: the JSON lines of the chunks before it are held, then
// printed in order; a field no chunk has is refused with nothing printed.
func TestPrinter_JSONFieldsShownLater(t *testing.T) {
	withURI := strings.Replace(ev2, `"verb":"get"`, `"verb":"get","requestURI":"/api/v1/pods"`, 1)
	run := func(fields ...string) (string, error) {
		cfg := replay.Config{Indexing: replay.Indexing{Region: "us-east-1", Cluster: "c"}, ChunkRecords: 1, JSON: true, Fields: fields}
		var out strings.Builder
		_, err := replayTo(t, &out, cfg, replay.Records([]replay.LogRecord{{Message: ev1}, {Message: withURI}}))
		return out.String(), err
	}
	if out, err := run("requestURI"); err != nil || out != "{}\n{\"requestURI\":\"/api/v1/pods\"}\n" {
		t.Errorf("a field of the second chunk only: %v\n%q", err, out)
	}
	if out, err := run("requestUri"); err == nil || out != "" {
		t.Errorf("a field no record has: err %v, printed %q", err, out)
	}
}

// TestDefaultColumns_InREADME verifies the README's --fields row names the
// default view's columns, in order: the list is written in both places.
func TestDefaultColumns_InREADME(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var row string
	for _, line := range strings.Split(string(readme), "\n") {
		if strings.HasPrefix(line, "| `--fields a,b,c` |") {
			row = line
		}
	}
	quoted := make([]string, len(replay.DefaultColumns))
	for i, c := range replay.DefaultColumns {
		quoted[i] = "`" + c + "`"
	}
	if want := strings.Join(quoted, ", "); !strings.Contains(row, want) {
		t.Errorf("the README's --fields row does not list %s:\n%s", want, row)
	}
}
