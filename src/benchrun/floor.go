package benchrun

import (
	"fmt"
	"strings"
	"time"

	"github.com/kubelens/kubelens/src/audit"
	"github.com/kubelens/kubelens/src/benchdata"
	"github.com/kubelens/kubelens/src/enrich"
	"github.com/kubelens/kubelens/src/lookups"
)

// Floor is what kubeenrich's work per record costs apart from the CSV,
// the chunked protocol and the pipe: measured in the harness's process,
// one goroutine, over the benchmark's own events, with nothing else
// running in it. A wall target leaves kubeenrich a CPU budget per record
// (see Budget); the floor says whether the work can fit in it at all.
type Floor struct {
	Records int
	// Parse is audit.Parser.Parse of one record's _raw: the JSON reading
	// every enrichment needs. Per record, the fastest of the passes.
	Parse time.Duration
	// Enrich is enrich.Worker.Enrich of one record from its fields held in
	// memory, with the shipped lookups: the JSON reading included, the
	// CSV and the reply's encoding not. Per record, the fastest pass.
	Enrich time.Duration
}

// floorPasses is how many times MeasureFloor goes over the events; the
// fastest pass is the one least disturbed by the rest of the machine.
const floorPasses = 3

// MeasureFloor measures the Floor over events, with the lookups in
// lookupsDir (the repository's lookups/). Errors are a lookup missing or
// malformed, and a record that does not parse (the generator writes only
// audit events).
func MeasureFloor(events []benchdata.Event, lookupsDir string) (Floor, error) {
	f := Floor{Records: len(events)}
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
			return f, fmt.Errorf("benchrun: the floor needs the shipped lookups: %s has no %s", lookupsDir, l.DefaultFile())
		}
	}
	recs := make([]floorRecord, len(events))
	for i := range events {
		recs[i] = newFloorRecord(&events[i])
	}
	var p audit.Parser
	w := enrich.New(tables).NewWorker()
	var out enrich.Output
	for range floorPasses {
		t0 := time.Now()
		for i := range events {
			if _, err := p.Parse(events[i].Raw); err != nil {
				return f, fmt.Errorf("benchrun: the floor's record %d: %w", i, err)
			}
		}
		f.Parse = fastest(f.Parse, time.Since(t0)/time.Duration(len(events)))
		t0 = time.Now()
		for i := range recs {
			w.Enrich(&recs[i], &out)
		}
		f.Enrich = fastest(f.Enrich, time.Since(t0)/time.Duration(len(recs)))
	}
	return f, nil
}

func fastest(best, d time.Duration) time.Duration {
	if best == 0 || d < best {
		return d
	}
	return best
}

// floorRecord is an enrich.Record over a generated event's fields, each
// looked up by enrich.Input in a slice: as cheap as a record can be, so
// that the floor holds no cost of its own container.
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

func newFloorRecord(e *benchdata.Event) floorRecord {
	r := floorRecord{values: make([][]string, enrich.NumInputs), joined: make([]string, enrich.NumInputs)}
	for f := range benchdata.Field(benchdata.NumFields) {
		if i := floorInputs[f]; i >= 0 {
			r.values[i] = e.Values(f)
			r.joined[i] = strings.Join(r.values[i], "\n")
		}
	}
	return r
}

func (r *floorRecord) Value(in enrich.Input) string    { return r.joined[in] }
func (r *floorRecord) Values(in enrich.Input) []string { return r.values[in] }

// Budget is the CPU per record a wall target leaves kubeenrich for its own
// work on top of the pass-through's, at most: the wall the target allows
// beyond the pass-through's, per record, times the machine's cores. It is
// generous: it assumes that work overlaps perfectly with the pass-through's
// reading and writing on every core, and that the feeder needs no core.
func Budget(p *Pair, limit float64, cores int) time.Duration {
	extra := (limit - 1) * float64(p.Base.MedianWall()) / float64(p.Base.Stream.Records)
	return time.Duration(extra * float64(cores))
}

// ExtraCPU is kubeenrich's CPU per record beyond the pass-through's, both
// medians over the rounds.
func ExtraCPU(p *Pair) time.Duration {
	return (p.Cmd.MedianCPU() - p.Base.MedianCPU()) / time.Duration(p.Base.Stream.Records)
}
