package benchdata

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/kubelens/kubelens/src/chunked"
)

const (
	testEvents = 6000
	testSmall  = 1000
	testLarge  = 3000
)

var (
	writeOnce sync.Once
	testDir   string
	testMan   *Manifest
	writeErr  error
)

// written returns the streams of 6,000 events in chunks of 1,000 and
// 3,000, written once for every test of the package.
func written(t *testing.T) (string, *Manifest) {
	t.Helper()
	writeOnce.Do(func() {
		testDir, writeErr = os.MkdirTemp("", "benchdata-test-")
		if writeErr == nil {
			testMan, writeErr = Write(testDir, Options{Events: testEvents, Seed: 1, Streams: StandardStreams(testSmall, testLarge), StartupRecords: 50})
		}
	})
	if writeErr != nil {
		t.Fatal(writeErr)
	}
	return testDir, testMan
}

func TestMain(m *testing.M) {
	code := m.Run()
	if testDir != "" {
		os.RemoveAll(testDir)
	}
	os.Exit(code)
}

// parsed is a stream read back with package chunked.
type parsed struct {
	getinfo []byte
	metas   [][]byte
	tables  []*chunked.Table
	sizes   []int64
}

func parse(t *testing.T, path string) parsed {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var p parsed
	r := chunked.NewReader(bytes.NewReader(data))
	for i := 0; ; i++ {
		c, err := r.ReadChunk()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: chunk %d: %v", path, i, err)
		}
		p.sizes = append(p.sizes, int64(len(AppendChunk(nil, c.Meta, c.Body))))
		if i == 0 {
			p.getinfo = slices.Clone(c.Meta)
			if len(c.Body) > 0 {
				t.Fatalf("%s: getinfo has a body of %d bytes", path, len(c.Body))
			}
			continue
		}
		tb, err := chunked.DecodeTable(c.Body)
		if err != nil {
			t.Fatalf("%s: chunk %d: %v", path, i, err)
		}
		p.metas = append(p.metas, slices.Clone(c.Meta))
		p.tables = append(p.tables, tb)
	}
	return p
}

func TestWrite_StreamsAreWellFormed(t *testing.T) {
	dir, m := written(t)
	if len(m.Streams) != 3 {
		t.Fatalf("streams: %+v", m.Streams)
	}
	for _, s := range m.Streams {
		p := parse(t, filepath.Join(dir, s.File))
		checkGetInfo(t, s.Name, p.getinfo)
		wantChunks := (testEvents + s.ChunkRecords - 1) / s.ChunkRecords
		if len(p.tables) != wantChunks || len(s.Chunks) != wantChunks+1 {
			t.Fatalf("%s: %d execute chunks, manifest %d, want %d", s.Name, len(p.tables), len(s.Chunks)-1, wantChunks)
		}
		var total int64
		for i, size := range p.sizes {
			if size != s.Chunks[i].Bytes {
				t.Errorf("%s: chunk %d is %d bytes, the manifest says %d", s.Name, i, size, s.Chunks[i].Bytes)
			}
			total += size
		}
		if st, _ := os.Stat(filepath.Join(dir, s.File)); total != s.Bytes || st.Size() != s.Bytes {
			t.Errorf("%s: chunks sum to %d, manifest %d, file %d", s.Name, total, s.Bytes, st.Size())
		}
		serial := 0
		for i, tb := range p.tables {
			last := i == len(p.tables)-1
			if want := string(ExecuteMeta(last)); string(p.metas[i]) != want {
				t.Errorf("%s: chunk %d metadata %s, want %s", s.Name, i+1, p.metas[i], want)
			}
			if tb.Len() != s.ChunkRecords {
				t.Errorf("%s: chunk %d has %d rows, want %d", s.Name, i+1, tb.Len(), s.ChunkRecords)
			}
			checkColumns(t, s, tb)
			for r := 0; r < tb.Len(); r++ {
				if s.Layout == Full.String() {
					if got := tb.Cell(r, "_serial"); got != itoa(serial) {
						t.Fatalf("%s: chunk %d row %d: _serial %s, want %d", s.Name, i+1, r, got, serial)
					}
				}
				serial++
			}
		}
		if serial != testEvents {
			t.Errorf("%s: %d rows in all", s.Name, serial)
		}
	}
}

// checkGetInfo: splunkd's keys in splunkd's order, and what kubeenrich
// reads from them.
func checkGetInfo(t *testing.T, name string, meta []byte) {
	t.Helper()
	if !bytes.HasPrefix(meta, []byte(`{"action":"getinfo","preview":false,"streaming_command_will_restart":false,"searchinfo":{"args":[],"raw_args":[],"dispatch_dir":`)) {
		t.Errorf("%s: getinfo %s", name, meta)
	}
	var req chunked.GetInfoRequest
	if err := json.Unmarshal(meta, &req); err != nil {
		t.Fatalf("%s: getinfo: %v", name, err)
	}
	si := req.SearchInfo
	if req.Action != "getinfo" || si.Command != "kubeenrich" || si.MaxResultRows != 50000 || len(si.Args) != 0 ||
		si.SessionKey.Reveal() == "" || si.EarliestTime >= si.LatestTime || si.SplunkVersion == "" {
		t.Errorf("%s: getinfo %+v", name, req)
	}
	if s := si.DecodedSearch(); !strings.HasPrefix(s, "litsearch (index=eks ") || !strings.Contains(s, " | kubeenrich | fields keepcolorder=t ") || s == si.Search {
		t.Errorf("%s: search %q decodes to %q", name, si.Search, s)
	}
}

// checkColumns: all plain columns, then __mv_<field> for each in the
// same order; multivalue cells agree with their plain cells.
func checkColumns(t *testing.T, s StreamInfo, tb *chunked.Table) {
	t.Helper()
	cols := tb.Columns()
	half := len(cols) / 2
	if len(cols) != s.Columns || len(cols)%2 != 0 {
		t.Fatalf("%s: %d columns, manifest %d", s.Name, len(cols), s.Columns)
	}
	var fields []string
	for _, f := range map[string]Layout{"full": Full, "raw-only": RawOnly}[s.Layout].Fields() {
		fields = append(fields, f.Name())
	}
	if !slices.Equal(cols[:half], fields) {
		t.Fatalf("%s: columns %q, want %q", s.Name, cols[:half], fields)
	}
	for k := 0; k < half; k++ {
		if cols[half+k] != "__mv_"+cols[k] {
			t.Fatalf("%s: column %d is %q, want __mv_%s", s.Name, half+k, cols[half+k], cols[k])
		}
	}
	multi := 0
	for r := 0; r < tb.Len(); r++ {
		for _, f := range fields {
			ref := tb.Field(f)
			plain, mv := tb.Cell(r, f), tb.Cell(r, "__mv_"+f)
			if mv != "" {
				multi++
				if vals := tb.Values(r, ref); len(vals) < 2 || strings.Join(vals, "\n") != plain {
					t.Fatalf("%s row %d: %s is %q with __mv_ %q", s.Name, r, f, plain, mv)
				}
			} else if f != "_raw" && strings.Contains(plain, "\n") {
				t.Fatalf("%s row %d: %s holds a line break without a __mv_ cell", s.Name, r, f)
			}
		}
		if s.Layout == Full.String() && tb.Cell(r, "__mv__si") == "" {
			t.Fatalf("%s row %d: _si is not multivalue", s.Name, r)
		}
	}
	if s.Layout == Full.String() && multi <= tb.Len() {
		t.Errorf("%s: %d multivalue cells in %d rows", s.Name, multi, tb.Len())
	}
}

// TestWrite_SameEventsInEveryStream compares the streams row by row.
func TestWrite_SameEventsInEveryStream(t *testing.T) {
	dir, m := written(t)
	rows := func(name string) []chunked.Record {
		s, ok := m.Stream(name)
		if !ok {
			t.Fatalf("no stream %s", name)
		}
		var out []chunked.Record
		for _, tb := range parse(t, filepath.Join(dir, s.File)).tables {
			for r := 0; r < tb.Len(); r++ {
				out = append(out, tb.Record(r))
			}
		}
		return out
	}
	small, large, raw := rows("full-1k"), rows("full-3k"), rows("raw-1k")
	want := Events(testEvents, 1)
	if len(small) != len(want) || len(large) != len(want) || len(raw) != len(want) {
		t.Fatalf("rows: %d, %d, %d of %d", len(small), len(large), len(raw), len(want))
	}
	for i := range want {
		for f := Field(0); int(f) < NumFields; f++ {
			w := want[i].Values(f)
			if got := small[i].Values(f.Name()); !slices.Equal(got, w) {
				t.Fatalf("row %d of full-1k: %s is %q, want %q", i, f.Name(), got, w)
			}
			if got := large[i].Values(f.Name()); !slices.Equal(got, w) {
				t.Fatalf("row %d of full-3k: %s is %q, want %q", i, f.Name(), got, w)
			}
		}
		for _, f := range RawOnly.Fields() {
			if got, w := raw[i].Values(f.Name()), want[i].Values(f); !slices.Equal(got, w) {
				t.Fatalf("row %d of raw-1k: %s is %q, want %q", i, f.Name(), got, w)
			}
		}
	}
}

// TestWrite_StartupStream: getinfo, then the first events twice, the
// second time finished.
func TestWrite_StartupStream(t *testing.T) {
	dir, m := written(t)
	p := parse(t, filepath.Join(dir, m.Startup.File))
	checkGetInfo(t, "startup", p.getinfo)
	if len(p.tables) != 2 || string(p.metas[0]) != string(ExecuteMeta(false)) || string(p.metas[1]) != string(ExecuteMeta(true)) {
		t.Fatalf("startup: %d execute chunks, metadata %q", len(p.tables), p.metas)
	}
	if m.Startup.Chunks[1].Body != m.Startup.Chunks[2].Body || m.Startup.ChunkRecords != 50 || m.Startup.Records != 100 {
		t.Errorf("startup manifest %+v", m.Startup)
	}
	want := Events(50, 1)
	for _, tb := range p.tables {
		if tb.Len() != len(want) {
			t.Fatalf("startup: %d rows", tb.Len())
		}
		for r := range want {
			if got := tb.Cell(r, "_raw"); got != want[r].Raw {
				t.Fatalf("startup row %d is not event %d", r, r)
			}
		}
	}
}

// TestWrite_Statistics: the events look like a busy EKS cluster's, near
// issue 9's figures (about 1.3 KB of _raw, about 2.7 KB of CSV and 44
// fields per record, hundreds of users, addresses and clients).
func TestWrite_Statistics(t *testing.T) {
	_, m := written(t)
	st := m.Stats
	between := func(what string, x, lo, hi float64) {
		t.Helper()
		if x < lo || x > hi {
			t.Errorf("%s = %.3f, want %.3f to %.3f", what, x, lo, hi)
		}
	}
	between("mean _raw bytes", st.AvgRawBytes, 1200, 1450)
	between("largest _raw bytes", float64(st.MaxRawBytes), 5000, 64000)
	between("share with request or response objects", st.WithObjects, 0.05, 0.30)
	between("share with multivalue sourceIPs{}", st.MultivalueSourceIPs, 0.03, 0.20)
	between("share with multivalue user.groups{}", st.MultivalueGroups, 0.5, 0.98)
	for _, s := range m.Streams {
		perRecord := float64(s.BodyBytes) / float64(s.Records)
		if s.Layout == Full.String() {
			between(s.Name+" CSV bytes per record", perRecord, 2500, 2900)
			between(s.Name+" fields", float64(s.Columns/2), 42, 48)
		} else {
			between(s.Name+" CSV bytes per record", perRecord, 1400, 1800)
			between(s.Name+" fields", float64(s.Columns/2), 4, 4)
		}
	}
	for kind, least := range map[string]int{"users": 300, "source_ips": 300, "user_agents": 200, "resources": 40, "verbs": 8, "requests": 150, "object_names": 1000} {
		if st.Distinct[kind] < least {
			t.Errorf("%d distinct %s in %d events, want at least %d", st.Distinct[kind], kind, testEvents, least)
		}
	}
	var small, tiny int
	for _, e := range Events(testEvents, 1) {
		switch {
		case len(e.Raw) < 900:
			tiny++
		case len(e.Raw) < 1300:
			small++
		}
	}
	if tiny == 0 || small < testEvents/3 {
		t.Errorf("sizes: %d events under 900 bytes, %d under 1,300", tiny, small)
	}
}

func TestWrite_ManifestRoundTrip(t *testing.T) {
	dir, m := written(t)
	got, err := ReadManifest(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got.Events != m.Events || len(got.Streams) != len(m.Streams) || got.Streams[1].LargestChunk() != m.Streams[1].LargestChunk() || got.Stats.Distinct["users"] != m.Stats.Distinct["users"] {
		t.Errorf("read back %+v", got)
	}
	if _, err := ReadManifest(t.TempDir()); err == nil {
		t.Error("a folder without a manifest read without error")
	}
}

func TestWrite_Refuses(t *testing.T) {
	for name, opts := range map[string]Options{
		"no events":             {Streams: StandardStreams(10, 20)},
		"no streams":            {Events: 10},
		"chunks not dividing":   {Events: 10, Streams: []StreamSpec{{Name: "a", ChunkRecords: 3}, {Name: "b", ChunkRecords: 4}}},
		"chunk of zero records": {Events: 10, Streams: []StreamSpec{{Name: "a"}}},
	} {
		if _, err := Write(t.TempDir(), opts); err == nil || !strings.HasPrefix(err.Error(), "benchdata: ") {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

func TestGetInfo_Args(t *testing.T) {
	var req chunked.GetInfoRequest
	if err := json.Unmarshal(GetInfo("kubeenrich", "fields=eks,identity", "prefix=kl_"), &req); err != nil {
		t.Fatal(err)
	}
	si := req.SearchInfo
	if !slices.Equal(si.Args, []string{"fields=eks,identity", "prefix=kl_"}) || !slices.Equal(si.RawArgs, si.Args) {
		t.Errorf("args %q, raw_args %q", si.Args, si.RawArgs)
	}
	if !strings.Contains(si.DecodedSearch(), "| kubeenrich fields=eks,identity prefix=kl_ | fields") {
		t.Errorf("search %q", si.DecodedSearch())
	}
	if strings.ContainsAny(si.Search, ` "|=*`) {
		t.Errorf("search not percent-encoded: %q", si.Search)
	}
}

func TestWrite_CreatesTheFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "streams")
	m, err := Write(dir, Options{Events: 20, Seed: 1, Streams: StandardStreams(10, 20), StartupRecords: 5})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ReadManifest(dir); err != nil || len(m.Streams) != 3 {
		t.Errorf("a missing folder: %d streams, manifest read back: %v", len(m.Streams), err)
	}
}
