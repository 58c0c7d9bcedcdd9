package checkpoint_test

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/kubelens/kubelens/src/checkpoint"
)

var update = flag.Bool("update", false, "rewrite the committed fuzz seed corpus")

func sampleState() checkpoint.State {
	return checkpoint.State{
		Stanza: "eks_logs://prod",
		Cursors: []checkpoint.Cursor{
			{Region: "us-east-1", Principal: "role_arn:arn:aws:iam::123456789012:role/r", Endpoint: "https://logs.example",
				LogGroup: "/aws/eks/prod/cluster", Prefix: "kube-apiserver-audit-", Position: checkpoint.Position{Watermark: 1700000000123, SeenFrom: 1699999999000},
				Seen: []checkpoint.Bucket{{Timestamp: 1700000000000, IDs: []uint64{1, 2}}, {Timestamp: 1700000000123, IDs: []uint64{3}}}},
			{Region: "us-east-1", LogGroup: "/aws/eks/prod/cluster", Prefix: "authenticator-", Position: checkpoint.Position{Watermark: 5}},
			// The same group and prefix read in another Region: another source.
			{Region: "eu-west-1", LogGroup: "/aws/eks/prod/cluster", Prefix: "authenticator-", Position: checkpoint.Position{Watermark: 7}},
		},
	}
}

func TestEncodeDecode_RoundTrip(t *testing.T) {
	want := sampleState()
	b, err := checkpoint.Encode(want)
	if err != nil {
		t.Fatal(err)
	}
	got, err := checkpoint.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("round trip = %+v, want %+v", got, want)
	}
}

// TestDecode_DetectsDamage verifies that a flipped bit anywhere in the file,
// a truncation, or foreign bytes are refused rather than resumed from.
func TestDecode_DetectsDamage(t *testing.T) {
	b, err := checkpoint.Encode(sampleState())
	if err != nil {
		t.Fatal(err)
	}
	for i := range b {
		for _, bit := range []byte{0x01, 0x80} {
			c := append([]byte(nil), b...)
			c[i] ^= bit
			if _, err := checkpoint.Decode(c); err == nil {
				// A flip inside the checksum-covered payload must fail; only
				// flips that keep every check consistent could pass, and none do.
				t.Fatalf("flip of bit %#x at byte %d accepted", bit, i)
			}
		}
	}
	for n := 0; n < len(b); n++ {
		if _, err := checkpoint.Decode(b[:n]); err == nil {
			t.Fatalf("truncation to %d bytes accepted", n)
		}
	}
	if _, err := checkpoint.Decode([]byte("hello")); !errors.Is(err, checkpoint.ErrNotCheckpoint) {
		t.Errorf("foreign bytes: err = %v", err)
	}
}

func TestDecode_RefusesIncoherentState(t *testing.T) {
	for name, st := range map[string]checkpoint.State{
		"negative watermark": {Cursors: []checkpoint.Cursor{{Position: checkpoint.Position{Watermark: -1}}}},
		"unordered buckets":  {Cursors: []checkpoint.Cursor{{Seen: []checkpoint.Bucket{{Timestamp: 5}, {Timestamp: 4}}}}},
		"repeated cursor":    {Cursors: []checkpoint.Cursor{{LogGroup: "g", Prefix: "p"}, {LogGroup: "g", Prefix: "p"}}},
		"repeated source":    {Cursors: []checkpoint.Cursor{{Region: "r", Endpoint: "e", LogGroup: "g", Prefix: "p"}, {Region: "r", Endpoint: "e", LogGroup: "g", Prefix: "p", Position: checkpoint.Position{Watermark: 1}}}},
		"negative seen_from": {Cursors: []checkpoint.Cursor{{Position: checkpoint.Position{SeenFrom: -1}}}},
	} {
		b, err := checkpoint.Encode(st)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := checkpoint.Decode(b); !errors.Is(err, checkpoint.ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", name, err)
		}
	}
}

func TestFileName(t *testing.T) {
	a := checkpoint.FileName("eks_logs://prod")
	if !strings.HasPrefix(a, "prod.") || !strings.HasSuffix(a, ".ckpt") {
		t.Errorf("FileName = %q", a)
	}
	if a != checkpoint.FileName("eks_logs://prod") {
		t.Error("FileName is not stable")
	}
	for _, s := range []string{"eks_logs://prod/", "eks_logs://prod?", "eks_logs://../../etc/passwd", "eks_logs://"} {
		n := checkpoint.FileName(s)
		if n == a || strings.ContainsAny(n, `/\`) || strings.HasPrefix(n, ".") {
			t.Errorf("FileName(%q) = %q", s, n)
		}
	}
}

func TestStore_SaveLoadKeepsPrevious(t *testing.T) {
	dir := t.TempDir()
	s, err := checkpoint.Open(dir, "eks_logs://prod")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	st, res, err := s.Load()
	if err != nil || res.Source != "none" || len(res.Problems) != 0 || st.Stanza != "eks_logs://prod" {
		t.Fatalf("first Load = %+v, %+v, %v", st, res, err)
	}
	first := sampleState()
	if err := s.Save(first); err != nil {
		t.Fatal(err)
	}
	second := sampleState()
	second.Cursors[0].Watermark = 1700000009999
	if err := s.Save(second); err != nil {
		t.Fatal(err)
	}
	// The second save is a journal record on the first's base.
	got, res, err := s.Load()
	if err != nil || res.Source != "current" || got.Cursors[0].Watermark != 1700000009999 || res.Journal.Records != 1 || res.Journal.Stop != "" {
		t.Fatalf("Load = %+v, %+v, %v", got, res, err)
	}
	if _, err := os.Stat(s.Path() + ".prev"); !os.IsNotExist(err) {
		t.Errorf("a previous copy before a second base: %v", err)
	}
	// Close compacts: the second state becomes the base, the first the
	// previous copy, and the journal is empty.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(s.Path()); err != nil || int64(s.LastSize()) != fi.Size() {
		t.Errorf("LastSize %d, the file %v (%v)", s.LastSize(), fi, err)
	}
	if fi, err := os.Stat(s.JournalPath()); err != nil || fi.Size() != 0 {
		t.Errorf("journal after Close: %v %v", fi, err)
	}
	cur, err := os.ReadFile(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	if cs, err := checkpoint.Decode(cur); err != nil || cs.Cursors[0].Watermark != 1700000009999 {
		t.Errorf("base after Close = %+v, %v", cs, err)
	}
	prev, err := os.ReadFile(s.Path() + ".prev")
	if err != nil {
		t.Fatal(err)
	}
	ps, err := checkpoint.Decode(prev)
	if err != nil || ps.Cursors[0].Watermark != 1700000000123 {
		t.Errorf("previous copy = %+v, %v", ps, err)
	}
	// With the records that followed it (the previous journal), the
	// previous copy is the state of the save before the current base:
	// the last one, here.
	os.WriteFile(s.Path(), []byte("garbage"), 0o600)
	s, err = checkpoint.Open(dir, "eks_logs://prod")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got, res, err := s.Load(); err != nil || res.Source != "previous" || res.Journal.Records != 1 || got.Cursors[0].Watermark != 1700000009999 {
		t.Errorf("Load from the previous copy = %+v, %+v, %v", got.Cursors[0], res, err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp") {
			t.Errorf("temp file left behind: %s", e.Name())
		}
	}
}

// TestStore_CorruptCurrentFallsBackToPrevious verifies that a damaged current
// file is set aside (not deleted) and the previous good copy is used.
func TestStore_CorruptCurrentFallsBackToPrevious(t *testing.T) {
	dir := t.TempDir()
	s, err := checkpoint.Open(dir, "eks_logs://prod")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Save(sampleState()); err != nil {
		t.Fatal(err)
	}
	// The first save of a new Store (after a restart) writes a base: the
	// first becomes the previous copy.
	s.Close()
	if s, err = checkpoint.Open(dir, "eks_logs://prod"); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, _, err := s.Load(); err != nil {
		t.Fatal(err)
	}
	newer := sampleState()
	newer.Cursors[0].Watermark = 1800000000000
	if err := s.Save(newer); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(s.Path(), []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	st, res, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	if res.Source != "previous" || st.Cursors[0].Watermark != 1700000000123 {
		t.Errorf("Load = source %q watermark %d", res.Source, st.Cursors[0].Watermark)
	}
	if len(res.Problems) != 1 || res.Problems[0].File != s.Path() || res.Problems[0].MovedTo == "" {
		t.Fatalf("problems = %+v", res.Problems)
	}
	if b, err := os.ReadFile(res.Problems[0].MovedTo); err != nil || string(b) != "garbage" {
		t.Errorf("set-aside file = %q, %v", b, err)
	}
}

func TestStore_AllCorruptFallsBackToNone(t *testing.T) {
	dir := t.TempDir()
	s, err := checkpoint.Open(dir, "eks_logs://prod")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	os.WriteFile(s.Path(), []byte("x"), 0o600)
	os.WriteFile(s.Path()+".prev", []byte("y"), 0o600)
	_, res, err := s.Load()
	if err != nil || res.Source != "none" || len(res.Problems) != 2 {
		t.Fatalf("Load = %+v, %v", res, err)
	}
	// Another stanza's file is not silently adopted either.
	other, _ := checkpoint.Encode(checkpoint.State{Stanza: "eks_logs://other"})
	os.WriteFile(s.Path(), other, 0o600)
	_, res, _ = s.Load()
	if res.Source != "none" || len(res.Problems) != 1 || !strings.Contains(res.Problems[0].Err.Error(), "eks_logs://other") {
		t.Errorf("foreign stanza: %+v", res)
	}
}

func TestStore_LockedAgainstSecondProcess(t *testing.T) {
	dir := t.TempDir()
	s, err := checkpoint.Open(dir, "eks_logs://prod")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := checkpoint.Open(dir, "eks_logs://prod"); !errors.Is(err, checkpoint.ErrLocked) {
		t.Errorf("second Open: err = %v, want ErrLocked", err)
	}
	if _, err := checkpoint.Reset(dir, "eks_logs://prod"); !errors.Is(err, checkpoint.ErrLocked) {
		t.Errorf("Reset while locked: err = %v", err)
	}
	if _, err := checkpoint.Open(dir, "eks_logs://other"); err != nil {
		t.Errorf("other stanza: %v", err)
	}
	s.Close()
	s2, err := checkpoint.Open(dir, "eks_logs://prod")
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	s2.Close()
}

func TestReset_MovesFilesAside(t *testing.T) {
	dir := t.TempDir()
	s, _ := checkpoint.Open(dir, "eks_logs://prod")
	s.Save(sampleState())
	s.Save(sampleState())
	s.Close()
	moved, err := checkpoint.Reset(dir, "eks_logs://prod")
	if err != nil || len(moved) != 4 { // bases and journals
		t.Fatalf("Reset = %v, %v", moved, err)
	}
	s, _ = checkpoint.Open(dir, "eks_logs://prod")
	defer s.Close()
	if _, res, _ := s.Load(); res.Source != "none" {
		t.Errorf("after reset source = %q", res.Source)
	}
	for _, m := range moved {
		if _, err := os.Stat(m); err != nil {
			t.Errorf("reset file %s: %v", m, err)
		}
	}
}

// FuzzDecode verifies that Decode never panics or over-allocates on hostile
// bytes, and that anything it accepts re-encodes to an equal state.
func FuzzDecode(f *testing.F) {
	valid, _ := checkpoint.Encode(sampleState())
	f.Add(valid)
	f.Add([]byte{})
	f.Add([]byte{0xdf, 0xff, 0xff, 0xff, 0xff}) // map32 claiming 4G entries
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := checkpoint.Decode(b)
		if err != nil {
			return
		}
		again, err := checkpoint.Encode(st)
		if err != nil {
			t.Fatal(err)
		}
		st2, err := checkpoint.Decode(again)
		if err != nil {
			t.Fatalf("re-encoded state does not decode: %v", err)
		}
		if !reflect.DeepEqual(normalize(st), normalize(st2)) {
			t.Fatalf("round trip changed the state: %+v vs %+v", st, st2)
		}
	})
}

// normalize maps nil and empty slices together: msgpack encodes both the same.
func normalize(s checkpoint.State) string { return fmt.Sprintf("%v", s) }

// TestWriteSeedCorpus regenerates the committed seed corpus with -update.
func TestWriteSeedCorpus(t *testing.T) {
	if !*update {
		t.Skip("run with -update to rewrite testdata/fuzz/FuzzDecode")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzDecode")
	os.MkdirAll(dir, 0o755)
	valid, _ := checkpoint.Encode(sampleState())
	empty, _ := checkpoint.Encode(checkpoint.State{Stanza: "eks_logs://x"})
	badsum := append([]byte(nil), valid...)
	badsum[len(badsum)-3] ^= 0xff
	for name, b := range map[string][]byte{"valid": valid, "empty_state": empty, "bad_checksum": badsum, "truncated": valid[:len(valid)/2]} {
		content := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", b)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestStore_RemoveStaleTemp verifies that the temp files a killed save
// leaves are removed at the next start, and nobody else's.
func TestStore_RemoveStaleTemp(t *testing.T) {
	dir := t.TempDir()
	s, err := checkpoint.Open(dir, "eks_logs://a")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	other := filepath.Join(dir, checkpoint.FileName("eks_logs://ab")+".tmp-1")
	stale := []string{s.Path() + ".tmp-123", s.Path() + ".tmp-999", s.Path() + ".prev.tmp"}
	for _, f := range append(stale, other, s.Path()) {
		if err := os.WriteFile(f, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	removed, err := s.RemoveStaleTemp()
	if err != nil || len(removed) != 3 {
		t.Fatalf("removed %v, %v", removed, err)
	}
	for _, f := range stale {
		if _, err := os.Stat(f); !os.IsNotExist(err) {
			t.Errorf("%s still there", f)
		}
	}
	for _, f := range []string{other, s.Path()} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("%s removed: %v", f, err)
		}
	}
}

// TestState_FindBySource verifies that cursors are found by their whole
// source: the same log group and prefix in another Region, as another
// principal or through another endpoint is another cursor; a cursor
// without a source (an earlier version's) is only found as legacy.
func TestState_FindBySource(t *testing.T) {
	st := sampleState()
	st.Cursors = append(st.Cursors, checkpoint.Cursor{LogGroup: "/aws/eks/prod/cluster", Prefix: "kube-scheduler-", Position: checkpoint.Position{Watermark: 9}})
	k := checkpoint.Key{Region: "eu-west-1", LogGroup: "/aws/eks/prod/cluster", Prefix: "authenticator-"}
	if c := st.Find(k); c == nil || c.Watermark != 7 {
		t.Errorf("Find(%v) = %+v", k, c)
	}
	for _, other := range []checkpoint.Key{
		{Region: "ap-south-1", LogGroup: k.LogGroup, Prefix: k.Prefix},
		{Region: "eu-west-1", Principal: "aws_account:prod", LogGroup: k.LogGroup, Prefix: k.Prefix},
		{Region: "eu-west-1", Endpoint: "https://vpce.example", LogGroup: k.LogGroup, Prefix: k.Prefix},
	} {
		if c := st.Find(other); c != nil {
			t.Errorf("Find(%v) found the cursor of %v", other, c.Key())
		}
	}
	if c := st.Find(checkpoint.Key{LogGroup: "/aws/eks/prod/cluster", Prefix: "kube-scheduler-"}); c == nil || !c.Legacy() {
		t.Errorf("the legacy cursor is not found by its empty source: %+v", c)
	}
	if c := st.FindLegacy("/aws/eks/prod/cluster", "kube-scheduler-"); c == nil || c.Watermark != 9 {
		t.Errorf("FindLegacy = %+v", c)
	}
	if c := st.FindLegacy("/aws/eks/prod/cluster", "authenticator-"); c != nil {
		t.Errorf("FindLegacy returned a cursor with a source: %+v", c)
	}
}

// TestStore_ProveWritable verifies that the proof saves the state and
// leaves no probe behind, and that CheckDir refuses a checkpoint_dir that is
// a file.
func TestStore_ProveWritable(t *testing.T) {
	dir := t.TempDir()
	s, err := checkpoint.Open(dir, "eks_logs://prod")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.ProveWritable(sampleState()); err != nil {
		t.Fatal(err)
	}
	got, res, err := s.Load()
	if err != nil || res.Source != "current" || len(got.Cursors) != len(sampleState().Cursors) {
		t.Fatalf("after the proof: %+v %v", res, err)
	}
	if err := checkpoint.CheckDir(dir); err != nil {
		t.Fatal(err)
	}
	names, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, n := range names {
		if strings.Contains(n, "probe") || strings.Contains(n, ".tmp-") {
			t.Errorf("left behind: %s", n)
		}
	}
	file := filepath.Join(dir, "a-file")
	os.WriteFile(file, []byte("x"), 0o600)
	if err := checkpoint.CheckDir(file); err == nil {
		t.Error("CheckDir accepted a file")
	}
	if err := checkpoint.CheckDir(filepath.Join(file, "sub")); err == nil {
		t.Error("CheckDir accepted a directory under a file")
	}
}
