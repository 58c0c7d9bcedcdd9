package benchrun

import (
	"encoding/xml"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/kubelens/kubelens/src/benchdata"
)

func runs(walls ...time.Duration) []Run {
	var rs []Run
	for _, w := range walls {
		rs = append(rs, Run{Wall: w, CPU: w / 2, FeederCPU: w / 4, MaxRSS: int64(w / time.Millisecond * 1e6), GetInfo: w / 100, Execute: []time.Duration{w / 10, w / 20}})
	}
	return rs
}

func TestSeries_Statistics(t *testing.T) {
	s := &benchdata.StreamInfo{Name: "full-10k", Records: 100_000, Bytes: 250_000_000, Chunks: []benchdata.Chunk{{Bytes: 1000}, {Bytes: 25_000_000}, {Bytes: 26_000_000}}}
	x := Series{Stream: s, Runs: runs(4*time.Second, 1*time.Second, 3*time.Second, 2*time.Second)}
	if got := x.MedianWall(); got != 2500*time.Millisecond {
		t.Errorf("median of 1, 2, 3, 4 s = %v", got)
	}
	if x.MinWall() != time.Second || x.MaxWall() != 4*time.Second || x.MaxRSS() != 4000e6 || x.MedianCPU() != 1250*time.Millisecond {
		t.Errorf("min %v, max %v, RSS %d, CPU %v", x.MinWall(), x.MaxWall(), x.MaxRSS(), x.MedianCPU())
	}
	if x.RecordsPerSecond() != 40_000 || x.MBPerSecond() != 100 || x.RSSPerChunk() != 4000e6/26e6 {
		t.Errorf("records/s %v, MB/s %v, RSS per chunk %v", x.RecordsPerSecond(), x.MBPerSecond(), x.RSSPerChunk())
	}
	if x.MedianGetInfo() != 25*time.Millisecond || x.MedianFirstExtra() != 125*time.Millisecond {
		t.Errorf("getinfo %v, first extra %v", x.MedianGetInfo(), x.MedianFirstExtra())
	}
	odd := Series{Runs: runs(3*time.Second, time.Second, 2*time.Second)}
	if odd.MedianWall() != 2*time.Second || median(nil) != 0 {
		t.Errorf("median of 1, 2, 3 s = %v", odd.MedianWall())
	}
}

// report builds a report whose ratios sit on either side of each target.
func report(fullRatio, rawRatio float64, rss int64, getinfo, extra time.Duration) *Report {
	m := &benchdata.Manifest{Events: 100_000, Seed: 1, Stats: benchdata.Stats{AvgRawBytes: 1300, Distinct: map[string]int{"users": 400}}}
	chunk := func(n int64) []benchdata.Chunk { return []benchdata.Chunk{{Bytes: 900}, {Bytes: n}} }
	m.Streams = []benchdata.StreamInfo{
		{Name: "full-10k", Layout: "full", Records: 100_000, Bytes: 270e6, BodyBytes: 269e6, Columns: 92, ChunkRecords: 10_000, Chunks: chunk(27e6)},
		{Name: "full-50k", Layout: "full", Records: 100_000, Bytes: 270e6, BodyBytes: 269e6, Columns: 92, ChunkRecords: 50_000, Chunks: chunk(135e6)},
		{Name: "raw-10k", Layout: "raw-only", Records: 100_000, Bytes: 160e6, BodyBytes: 159e6, Columns: 8, ChunkRecords: 10_000, Chunks: chunk(16e6)},
	}
	m.Startup = benchdata.StreamInfo{Name: "startup", ChunkRecords: 100, Chunks: chunk(260e3)}
	res := &Results{Manifest: m, Rounds: 3}
	base := time.Second
	for i := range m.Streams {
		ratio := fullRatio
		if m.Streams[i].Layout == "raw-only" {
			ratio = rawRatio
		}
		cmd := runs(time.Duration(float64(base) * ratio))
		cmd[0].MaxRSS = rss
		res.Pairs = append(res.Pairs, Pair{
			Base: Series{Command: "pass-through", Stream: &m.Streams[i], Runs: runs(base)},
			Cmd:  Series{Command: "kubeenrich", Stream: &m.Streams[i], Runs: cmd},
		})
	}
	startup := Run{Wall: time.Second, GetInfo: getinfo, Execute: []time.Duration{extra + time.Millisecond, time.Millisecond}}
	res.Startup = Pair{Base: Series{Command: "pass-through", Stream: &m.Startup, Runs: []Run{startup}}, Cmd: Series{Command: "kubeenrich", Stream: &m.Startup, Runs: []Run{startup}}}
	return &Report{Machine: Machine{CPU: "Test CPU", Cores: 2, Go: "go1.26", OS: "linux/amd64", Date: "2026-12-01", Commit: "abc"}, Results: res,
		EKS: []EKSRun{
			{CallsPerSecond: 1000, Events: 100_000, AvgMessage: 1300, FirstToLast: 10 * time.Second, Lifetime: 11 * time.Second, CPU: 5 * time.Second},
			{CallsPerSecond: 5, Events: 30_000, AvgMessage: 1300, FirstToLast: 7800 * time.Millisecond, Lifetime: 8 * time.Second, CPU: 400 * time.Millisecond},
		}}
}

func verdicts(r *Report) map[string]bool {
	v := map[string]bool{}
	for _, t := range r.Targets() {
		v[t.What] = t.Pass
	}
	return v
}

func TestReport_Targets(t *testing.T) {
	pass := verdicts(report(1.5, 2.0, 337e6, 10*time.Millisecond, 10*time.Millisecond))
	miss := verdicts(report(1.51, 2.01, 338e6, 11*time.Millisecond, 11*time.Millisecond))
	if len(pass) != 8 || len(miss) != 8 {
		t.Fatalf("targets: %v", pass)
	}
	for what := range pass {
		if strings.HasPrefix(what, "eks_logs") {
			continue
		}
		if !pass[what] || miss[what] {
			t.Errorf("%s: pass at the limit %v, past it %v", what, pass[what], miss[what])
		}
	}
	// 30,000 events in 7.8 s is 3,846/s of 5 × 790; 0.4 s of CPU in 8 s is 5%.
	if !pass["eks_logs at 5 calls/s: delivery against five full pages a second"] || !pass["eks_logs at 5 calls/s: CPU"] {
		t.Errorf("eks_logs verdicts %v", pass)
	}
	r := report(1, 1, 1, 0, 0)
	r.EKS[1].FirstToLast, r.EKS[1].CPU = 9*time.Second, time.Second
	if v := verdicts(r); v["eks_logs at 5 calls/s: delivery against five full pages a second"] || v["eks_logs at 5 calls/s: CPU"] {
		t.Errorf("3,333 events/s and 12.5%% of a core passed: %v", v)
	}
}

func TestReport_Markdown(t *testing.T) {
	r := report(5.4, 8.9, 584e6, 6*time.Millisecond, 4*time.Millisecond)
	r.PythonNote = "python3 is not installed"
	r.GoBench = "BenchmarkDecodeTable-2  44  34201789 ns/op\n"
	var short, full strings.Builder
	if err := r.WriteMarkdown(&short, false); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteMarkdown(&full, true); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Machine: Test CPU, 2 cores, go1.26 linux/amd64; 2026-12-01; commit abc",
		"| full-10k | pass-through | 1.000 s | 1.00–1.00 | 100,000 | 270 | 1.00 |",
		"| full-50k | kubeenrich | 5.400 s | 5.40–5.40 | 18,519 | 50 | 5.40 | 2.70 s | 5.40 |",
		"| raw-10k | kubeenrich | 8.900 s |",
		"584.0 MB | 4.33 |",
		"| process start → getinfo reply | 6.0 ms | 6.0 ms |",
		"| 5 | 30,000 | 1,300 B | 3,846 | 3,950 |",
		"| full enrichment: wall against the pass-through, full-50k | ≤ 1.5× | 5.40× | miss |",
		"| getinfo reply after process start | ≤ 10.0 ms | 6.0 ms | pass |",
		"The stdlib Python baseline did not run: python3 is not installed.",
	} {
		if !strings.Contains(short.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, short.String())
		}
	}
	if strings.Contains(short.String(), "# kubelens benchmarks") || strings.Contains(short.String(), "BenchmarkDecodeTable") {
		t.Error("the printed report carries RESULTS.md's title or the Go benchmarks")
	}
	if !strings.HasPrefix(full.String(), "# kubelens benchmarks\n") || !strings.Contains(full.String(), "```\nBenchmarkDecodeTable-2  44  34201789 ns/op\n```") {
		t.Errorf("saved report:\n%s", full.String())
	}
}

func TestCountEvents_AcrossReads(t *testing.T) {
	var b strings.Builder
	b.WriteString("<stream>\n")
	for i := 0; i < 50; i++ {
		b.WriteString(`<event stanza="eks_logs://bench" unbroken="1"><data>{&quot;n&quot;:1} &lt;/event&gt;</data><done/></event>` + "\n")
	}
	b.WriteString("</stream>\n")
	var seen []int
	if err := countEvents(iotest.OneByteReader(strings.NewReader(b.String())), 40, func(n int) { seen = append(seen, n) }); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 40 || seen[0] != 1 || seen[39] != 40 {
		t.Errorf("seen %v", seen)
	}
}

func TestInputXML(t *testing.T) {
	var in struct {
		CheckpointDir string `xml:"checkpoint_dir"`
		Stanza        struct {
			Name   string `xml:"name,attr"`
			Params []struct {
				Name  string `xml:"name,attr"`
				Value string `xml:",chardata"`
			} `xml:"param"`
		} `xml:"configuration>stanza"`
	}
	if err := xml.Unmarshal([]byte(inputXML("/tmp/a&b", map[string]string{"b": "<2>", "a": "1"})), &in); err != nil {
		t.Fatal(err)
	}
	if in.CheckpointDir != "/tmp/a&b" || in.Stanza.Name != "eks_logs://bench" || len(in.Stanza.Params) != 2 ||
		in.Stanza.Params[0].Name != "a" || in.Stanza.Params[1].Value != "<2>" {
		t.Errorf("parsed back %+v", in)
	}
}

func TestGroup(t *testing.T) {
	for x, want := range map[float64]string{0: "0", 999.4: "999", 1000: "1,000", 28431.6: "28,432", 1234567: "1,234,567"} {
		if got := group(x); got != want {
			t.Errorf("group(%v) = %q, want %q", x, got, want)
		}
	}
}

func TestBounds(t *testing.T) {
	// Over 100,000 records, the pass-through takes 1 s of wall and 0.5 s
	// of CPU; kubeenrich 3 s of wall (and 2.5 s on raw-10k), half of it
	// CPU, and the feeder a quarter of kubeenrich's wall.
	r := report(3, 2.5, 1, time.Millisecond, time.Millisecond)
	full, raw := &r.Results.Pairs[0], &r.Results.Pairs[2]
	// 2 cores × 1.5 × 10 µs − F 7.5 µs − C 5 µs.
	if got := Budget(full, 1.5, 2); got != 17500*time.Nanosecond {
		t.Errorf("budget = %v, want 17.5µs", got)
	}
	if got := BudgetAt(full, 1.5, 2, 2*time.Second); got != 47500*time.Nanosecond {
		t.Errorf("budget at a 2 s pass-through = %v, want 2 × 1.5 × 20 − 7.5 − 5 = 47.5µs", got)
	}
	if got := ExtraCPU(full); got != 10*time.Microsecond {
		t.Errorf("extra CPU = %v, want (1.5 s − 0.5 s) / 100,000 = 10µs", got)
	}
	// 2 × 2 × 10 − 6.25 (the feeder's quarter of 2.5 s) − 5.
	if got := Budget(raw, 2, 2); got != 28750*time.Nanosecond {
		t.Errorf("raw budget = %v, want 28.75µs", got)
	}
	var b strings.Builder
	r.Floor = &Floor{Records: 10_000, Timed: "CPU", Parse: 1900 * time.Nanosecond,
		Enrich: [2]time.Duration{benchdata.Full: 6590 * time.Nanosecond, benchdata.RawOnly: 32 * time.Microsecond}}
	if err := r.WriteMarkdown(&b, false); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"### What bounds the wall targets",
		"B = 2 × L × W − F − C",
		"(CPU time, the cheapest of 3 passes over 10,000 events",
		"| full-10k | 1.5× | 10.00 | 7.50 | 5.00 | 17.50 | 17.50–17.50 | 1.90 | 6.59 | 10.00 | the CPU fits the budget: the wall is lost to cores left idle |",
		"| raw-10k | 2.0× | 10.00 | 6.25 | 5.00 | 28.75 | 28.75–28.75 | 1.90 | 32.00 | 7.50 | out of reach here: the floor alone is over the budget by 3.25 even at the slowest pass-through |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	met := report(1.2, 1.5, 1, time.Millisecond, time.Millisecond)
	met.Floor = r.Floor
	b.Reset()
	if err := met.WriteMarkdown(&b, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "| 1.00 | met |") {
		t.Errorf("a met target is not said met:\n%s", b.String())
	}
	r.Floor, r.FloorNote = nil, "the lookups are missing"
	b.Reset()
	if err := r.WriteMarkdown(&b, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "was not measured: the lookups are missing.") || strings.Contains(b.String(), "What bounds") {
		t.Errorf("a missing floor is not said:\n%s", b.String())
	}
	// A stream without records divides by nothing.
	empty := Pair{Base: Series{Stream: &benchdata.StreamInfo{}, Runs: runs(time.Second)}, Cmd: Series{Runs: runs(time.Second)}}
	if Budget(&empty, 1.5, 2) != 0 || ExtraCPU(&empty) != 0 {
		t.Errorf("a stream of no records: budget %v, extra %v", Budget(&empty, 1.5, 2), ExtraCPU(&empty))
	}
}

func TestVerdict(t *testing.T) {
	const us = time.Microsecond
	for _, c := range []struct {
		met                  bool
		floor, extra, lo, hi time.Duration
		want                 string
	}{
		{false, 7 * us, 13 * us, -2 * us, 0, "out of reach here: the pass-through's and the harness's CPU alone exceed"},
		{false, 7 * us, 13 * us, 4 * us, 6 * us, "out of reach here: the floor alone is over the budget by 1.00 even at the slowest"},
		{true, 7 * us, 13 * us, 4 * us, 6 * us, "met, though the floor is over every budget: a measurement is off"},
		{true, 7 * us, 13 * us, -2 * us, 0, "met, though the floor is over every budget: a measurement is off"},
		{true, 3 * us, 4 * us, 4 * us, 6 * us, "met"},
		{false, 5 * us, 13 * us, 4 * us, 6 * us, "undecided: the floor is within the budget's spread"},
		{false, 3 * us, 13 * us, 4 * us, 6 * us, "not ruled out by the floor: kubeenrich would have to spend 9.00 less, of the 10.00 it spends beyond the floor"},
		{false, 3 * us, 3500 * time.Nanosecond, 4 * us, 6 * us, "the CPU fits the budget: the wall is lost to cores left idle"},
	} {
		if got := Verdict(c.met, c.floor, c.extra, c.lo, c.hi); !strings.HasPrefix(got, c.want) {
			t.Errorf("Verdict(%v, floor %v, extra %v, B %v–%v) = %q, want %q", c.met, c.floor, c.extra, c.lo, c.hi, got, c.want)
		}
	}
}

func TestMeasureFloor(t *testing.T) {
	f, err := MeasureFloor(benchdata.Events(200, 1), "../../lookups")
	if err != nil {
		t.Fatal(err)
	}
	if f.Records != 200 || f.Parse <= 0 || f.Enrich[benchdata.Full] <= f.Parse || f.Enrich[benchdata.RawOnly] <= f.Parse {
		t.Errorf("floor = %+v: reading _raw must cost something and enriching more, since it reads _raw too", f)
	}
	if f.Timed != "CPU" && runtime.GOOS == "linux" {
		t.Errorf("floor timed by %s on Linux, which gives a thread's CPU time", f.Timed)
	}
	if _, err := MeasureFloor(benchdata.Events(10, 1), t.TempDir()); err == nil || !strings.HasPrefix(err.Error(), "benchrun: ") {
		t.Errorf("lookups in an empty folder: err = %v", err)
	}
}

// TestReport_Steady checks the steady eks_logs run's figures and row: 6,000
// events delivered from 21,000 served is 3.5 reads each, so five pages of
// 790 events keep up with 5 × 790 / 3.5 = 1,129 events/s, 29% of them.
func TestReport_Steady(t *testing.T) {
	r := report(1, 1, 1, 0, 0)
	r.Steady = &SteadyRun{Rate: 600, Warmup: 17 * time.Second, Measure: 10 * time.Second, Arrived: 6000, Delivered: 6000, Served: 21000,
		Calls: 34, AvgMessage: 1300, CPU: 300 * time.Millisecond, Lifetime: 30 * time.Second}
	if got := r.Steady.Sustainable(); got < 1128 || got > 1129 {
		t.Errorf("sustainable = %.1f events/s, want 1,128.6", got)
	}
	const what = "eks_logs at 5 calls/s, steady state (default overlap and sweep_interval): events/s it keeps up with, against five full pages a second"
	if v, ok := verdicts(r)[what]; !ok || v {
		t.Errorf("steady target: present %v, pass %v", ok, v)
	}
	var b strings.Builder
	if err := r.WriteMarkdown(&b, false); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| 6,000 | 6,000 | yes | 3.4 | 3.50 | 1,129 | 1.0% |", "| " + what + " | ≥ 95% of 3,950 events/s | 29% (1,129 events/s: each event read 3.50 times) | miss |"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, b.String())
		}
	}
	r.Steady.Delivered = 5000
	if r.Steady.KeptUp() {
		t.Error("5,000 of 6,000 delivered counted as keeping up")
	}
	r.Steady, r.SteadyNote = nil, "skipped (-eks-steady-rate 0)"
	b.Reset()
	if err := r.WriteMarkdown(&b, false); err != nil || !strings.Contains(b.String(), "The steady eks_logs run did not happen: skipped (-eks-steady-rate 0).") {
		t.Errorf("report without the steady run:\n%s", b.String())
	}
}
