package eksinput

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/kubelens/kubelens/src/checkpoint"
	"github.com/kubelens/kubelens/src/eksconf"
	"github.com/kubelens/kubelens/src/modinput"
	"github.com/kubelens/kubelens/src/splunklog"
	"github.com/sirupsen/logrus"
	logtest "github.com/sirupsen/logrus/hooks/test"
)

func openInput(t *testing.T, dir string, now time.Time, params map[string]string) (*Input, *logtest.Hook) {
	t.Helper()
	cfg, err := eksconf.ParseStanza(modinput.Stanza{Name: "prod", Params: params, ParamLists: map[string][]string{}}, now)
	if err != nil {
		t.Fatal(err)
	}
	log, hook := logtest.NewNullLogger()
	in := &Input{Cfg: cfg, Log: logrus.NewEntry(log), now: func() time.Time { return now }}
	if err := in.Open(dir); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close() })
	return in, hook
}

func loadState(t *testing.T, dir string) checkpoint.State {
	t.Helper()
	s, err := checkpoint.Open(dir, "eks_logs://prod")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	st, _, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// TestOpen_CursorsKeyedBySource verifies that a cursor an earlier version
// saved (no source) is adopted by the input of the same log group and
// prefix, stamped with its source and written back before anything is
// read; that changing the Region then starts a new cursor from start_from,
// with a WARN naming the other source, and keeps the old one; and that
// changing back resumes the old one.
func TestOpen_CursorsKeyedBySource(t *testing.T) {
	dir := t.TempDir()
	now := time.Unix(1700000000, 0)
	wm := now.Add(-2 * time.Minute).UnixMilli()
	s, err := checkpoint.Open(dir, "eks_logs://prod")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Save(checkpoint.State{Cursors: []checkpoint.Cursor{{LogGroup: "/aws/eks/prod/cluster", Prefix: "kube-apiserver-audit-",
		Position: checkpoint.Position{Watermark: wm, Floor: 1}, Seen: []checkpoint.Bucket{{Timestamp: wm - 1000, IDs: []uint64{7}}}}}}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	params := map[string]string{"aws_region": "us-east-1", "cluster_name": "prod", "overlap": "5m", "start_from": "-1h"}

	in, hook := openInput(t, dir, now, params)
	if c := in.queries[0].cur; c.Watermark != wm || c.SeenFrom != wm-(5*time.Minute).Milliseconds() || c.Len() != 1 {
		t.Errorf("adopted cursor: watermark %d seen_from %d ids %d", c.Watermark, c.SeenFrom, c.Len())
	}
	if !strings.Contains(entries(hook), "INFO checkpoint cursor saved by an earlier version") {
		t.Errorf("no INFO about the adoption:\n%s", entries(hook))
	}
	in.Close()
	st := loadState(t, dir)
	if len(st.Cursors) != 1 || st.Cursors[0].Region != "us-east-1" || st.Cursors[0].Legacy() {
		t.Fatalf("written back at Open: %+v", st.Cursors)
	}

	params["aws_region"] = "eu-west-1"
	in, hook = openInput(t, dir, now, params)
	if c := in.queries[0].cur; c.Watermark != now.Add(-time.Hour).UnixMilli() || c.Len() != 0 {
		t.Errorf("another Region resumed a cursor: watermark %d, %d ids", c.Watermark, c.Len())
	}
	if log := entries(hook); !strings.Contains(log, "WARN the checkpoint holds a cursor of this log group and prefix for another source") ||
		!strings.Contains(log, "region=us-east-1") {
		t.Errorf("no WARN naming the other source:\n%s", log)
	}
	in.Close()
	if st := loadState(t, dir); len(st.Cursors) != 2 {
		t.Fatalf("cursors after the change: %+v", st.Cursors)
	}

	params["aws_region"] = "us-east-1"
	in, _ = openInput(t, dir, now, params)
	if c := in.queries[0].cur; c.Watermark != wm {
		t.Errorf("changing back did not resume: watermark %d", c.Watermark)
	}
	// The role assumed and the endpoint are part of the source too.
	in.Close()
	params["role_arn"] = "arn:aws:iam::123456789012:role/r"
	in, _ = openInput(t, dir, now, params)
	if c := in.queries[0].cur; c.Watermark == wm {
		t.Error("another role resumed the cursor")
	}
	in.Close()
	delete(params, "role_arn")
	params["endpoint_url"] = "https://vpce.example"
	in, _ = openInput(t, dir, now, params)
	if c := in.queries[0].cur; c.Watermark == wm {
		t.Error("another endpoint resumed the cursor")
	}
}

// entries returns the logged lines as splunkd would see them.
func entries(h *logtest.Hook) string {
	var b strings.Builder
	for _, e := range h.AllEntries() {
		line, _ := e.String()
		b.WriteString(splunklog.LevelName(e.Level) + " " + e.Message + " " + line + "\n")
	}
	return b.String()
}

// TestOpen_Journal verifies that the input resumes from the base and its
// journal: a save cut short at the end is an INFO (the trace of a kill),
// a damaged record in the middle an ERROR naming where the journal was set
// aside, and in both cases the records before are resumed from.
func TestOpen_Journal(t *testing.T) {
	now := time.Unix(1700000000, 0)
	params := map[string]string{"aws_region": "us-east-1", "cluster_name": "prod", "overlap": "5m", "start_from": "-1h"}
	for _, c := range []struct {
		name, line string
		damage     func(j []byte, recs []int) []byte
	}{
		{"torn", "INFO the checkpoint journal ends in a save cut short", func(j []byte, recs []int) []byte {
			return j[:len(j)-3]
		}},
		{"damaged", "ERROR the checkpoint journal has a damaged record", func(j []byte, recs []int) []byte {
			j[len(j)-recs[len(recs)-1]-2] ^= 0xff // the last byte of the record before the last
			return j
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			in, _ := openInput(t, dir, now, params)
			saved := in.state.Cursors[0]
			wm := saved.Watermark
			var recs []int
			for i := range 3 {
				saved.Watermark = wm + int64(i+1)
				before := fileSize(t, in.store.JournalPath())
				if err := in.Save(saved); err != nil {
					t.Fatal(err)
				}
				recs = append(recs, int(fileSize(t, in.store.JournalPath())-before))
			}
			// Killed: the lock goes, the journal stays as it is.
			j, err := os.ReadFile(in.store.JournalPath())
			if err != nil || len(recs) != 3 || int(fileSize(t, in.store.JournalPath())) != recs[0]+recs[1]+recs[2] {
				t.Fatalf("journal %d bytes, records %v: %v", len(j), recs, err)
			}
			in.store.Close() // compacts: put the journal back as the kill left it
			os.WriteFile(in.store.Path(), mustRead(t, in.store.Path()+".prev"), 0o600)
			if err := os.WriteFile(in.store.JournalPath(), c.damage(j, recs), 0o600); err != nil {
				t.Fatal(err)
			}
			in.store = nil
			in, hook := openInput(t, dir, now, params)
			// Torn: the last save is lost, the two before it applied;
			// damaged: the second record is, so only the first applies.
			want := wm + 2
			if c.name == "damaged" {
				want = wm + 1
			}
			if got := in.queries[0].cur.Watermark; got != want {
				t.Errorf("resumed at watermark %d, want %d", got, want)
			}
			if log := entries(hook); !strings.Contains(log, c.line) {
				t.Errorf("no %q:\n%s", c.line, log)
			}
		})
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
