package benchrun

import (
	"fmt"
	"runtime"
	"strings"
	"time"

	"github.com/kubelens/kubelens/src/audit"
	"github.com/kubelens/kubelens/src/benchdata"
	"github.com/kubelens/kubelens/src/enrich"
	"github.com/kubelens/kubelens/src/lookups"
)

// Floor is what kubeenrich's work per record costs apart from the CSV,
// the chunked protocol and the pipe: measured in the harness's process,
// on one locked OS thread, over events of the benchmark's generator and
// seed, as that thread's CPU time (wall time where the platform cannot
// say: see Timed). Each figure is per record, the cheapest of the passes.
type Floor struct {
	Records int
	// Parse is audit.Parser.Parse of one record's _raw: the JSON reading
	// every enrichment needs.
	Parse time.Duration
	// Enrich is enrich.Worker.Enrich of one record with the shipped
	// lookups, per layout (indexed by benchdata.Layout): from the fields
	// that layout carries, held in memory; the JSON reading included, the
	// CSV and the reply's encoding not.
	Enrich [2]time.Duration
	// Timed is "CPU" when the figures are the thread's CPU time, "wall"
	// when they are wall time (then a busy machine inflates them).
	Timed string
}

// floorPasses is how many times MeasureFloor goes over the events; the
// cheapest pass is the one least disturbed by the rest of the machine.
const floorPasses = 3

// MeasureFloor measures the Floor over events, with the lookups in
// lookupsDir: the folder kubeenrich itself finds (lookups.Dir of its
// path), so that both do the same work. Errors are a lookup missing or
// malformed, and a record that does not parse (the generator writes only
// audit events).
func MeasureFloor(events []benchdata.Event, lookupsDir string) (Floor, error) {
	f := Floor{Records: len(events), Timed: "CPU"}
	if len(events) == 0 {
		return f, nil
	}
	tables, used, err := lookups.Load(lookupsDir)
	if err != nil {
		return f, fmt.Errorf("benchrun: the floor's lookups: %w", err)
	}
	// Without a table the rules it feeds do nothing: the floor would be
	// lower than kubeenrich's work with the shipped lookups.
	for _, l := range lookups.All {
		if used[l.Name] == "" {
			return f, fmt.Errorf("benchrun: the floor needs the shipped lookups: %q has no %s", lookupsDir, l.DefaultFile())
		}
	}
	var recs [2][]floorRecord
	for _, l := range []benchdata.Layout{benchdata.Full, benchdata.RawOnly} {
		recs[l] = make([]floorRecord, len(events))
		for i := range events {
			recs[l][i] = newFloorRecord(&events[i], l)
		}
	}
	// One OS thread, so that its CPU time is the work's and nothing else's
	// (the garbage collector's workers run on others).
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	clock := func() time.Duration {
		if cpu, ok := threadCPU(); ok {
			return cpu
		}
		f.Timed = "wall"
		return time.Duration(time.Now().UnixNano())
	}
	var p audit.Parser
	w := enrich.New(tables).NewWorker()
	var out enrich.Output
	n := time.Duration(len(events))
	for range floorPasses {
		t0 := clock()
		for i := range events {
			if _, err := p.Parse(events[i].Raw); err != nil {
				return f, fmt.Errorf("benchrun: the floor's record %d: %w", i, err)
			}
		}
		f.Parse = cheapest(f.Parse, (clock()-t0)/n)
		for l := range recs {
			t0 = clock()
			for i := range recs[l] {
				w.Enrich(&recs[l][i], &out)
			}
			f.Enrich[l] = cheapest(f.Enrich[l], (clock()-t0)/n)
		}
	}
	return f, nil
}

func cheapest(best, d time.Duration) time.Duration {
	if best == 0 || d < best {
		return d
	}
	return best
}

// floorRecord is an enrich.Record over a generated event's fields, each
// looked up by enrich.Input in a slice: a container that adds little to
// the floor (its lookups are a few percent of it, mostly cache misses).
type floorRecord struct {
	values [][]string // by enrich.Input
	joined []string   // values joined with "\n", as splunkd's plain column
}

// floorInputs maps the generator's fields to enrich's inputs by their
// Splunk field names; a field enrich does not read maps to -1.
var floorInputs = func() (in [benchdata.NumFields]int) {
	byName := make(map[string]int, len(enrich.InputNames))
	for i, n := range enrich.InputNames {
		byName[n] = i
	}
	for f := range benchdata.Field(benchdata.NumFields) {
		i, ok := byName[f.Name()]
		if !ok {
			i = -1
		}
		in[f] = i
	}
	return in
}()

// newFloorRecord holds the fields of e that layout l carries.
func newFloorRecord(e *benchdata.Event, l benchdata.Layout) floorRecord {
	r := floorRecord{values: make([][]string, enrich.NumInputs), joined: make([]string, enrich.NumInputs)}
	for _, f := range l.Fields() {
		if i := floorInputs[f]; i >= 0 {
			r.values[i] = e.Values(f)
			r.joined[i] = strings.Join(r.values[i], "\n")
		}
	}
	return r
}

func (r *floorRecord) Value(in enrich.Input) string    { return r.joined[in] }
func (r *floorRecord) Values(in enrich.Input) []string { return r.values[in] }

// Budget is the CPU per record a wall target leaves for kubeenrich's
// enrichment, at most. Met, the target bounds kubeenrich's wall by limit
// times the pass-through's (W, the median); in that wall the machine's
// cores give at most cores × limit × W of CPU, of which the feeder takes
// its own (the harness's CPU over kubeenrich's runs, F) and kubeenrich
// must spend at least what the pass-through does to read and write the
// same chunks (its CPU, C). So the enrichment can take at most
// (cores × limit × W − F − C) per record: an upper bound, since it
// assumes every core busy from start to exit. Negative means even no
// enrichment could meet the target. Zero records give zero.
func Budget(p *Pair, limit float64, cores int) time.Duration {
	return BudgetAt(p, limit, cores, p.Base.MedianWall())
}

// BudgetAt is Budget with the pass-through's wall w (a whole run's) in
// place of its median.
func BudgetAt(p *Pair, limit float64, cores int, w time.Duration) time.Duration {
	n := p.Base.Stream.Records
	if n <= 0 {
		return 0
	}
	total := float64(cores)*limit*float64(w) - float64(p.Cmd.MedianFeederCPU()) - float64(p.Base.MedianCPU())
	return time.Duration(total / float64(n))
}

// ExtraCPU is kubeenrich's CPU per record beyond the pass-through's, both
// medians over the rounds: what it spends on enrichment, CSV and all.
// Zero records give zero.
func ExtraCPU(p *Pair) time.Duration {
	n := p.Base.Stream.Records
	if n <= 0 {
		return 0
	}
	return (p.Cmd.MedianCPU() - p.Base.MedianCPU()) / time.Duration(n)
}
