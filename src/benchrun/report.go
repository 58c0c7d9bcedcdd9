package benchrun

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/kubelens/kubelens/src/benchdata"
)

// Report is everything make bench prints.
type Report struct {
	Machine Machine
	Results *Results
	// EKS are the eks_logs runs; EKSNote says why there are none.
	EKS     []EKSRun
	EKSNote string
	// Steady is the eks_logs run against a log group that keeps receiving
	// events; SteadyNote says why there is none.
	Steady     *SteadyRun
	SteadyNote string
	// PythonNote says why the Python baseline did not run.
	PythonNote string
	// HarnessRSS is the harness's own peak RSS in bytes: Linux counts it
	// in the peak of a child started with vfork, so a child's figure is
	// at least this.
	HarnessRSS int64
	// GoBench is the output of the Go benchmarks, for the saved report.
	GoBench string
	// Floor is kubeenrich's work per record outside the CSV and the pipe;
	// FloorNote says why it is missing.
	Floor     *Floor
	FloorNote string
}

// Target is one of issue 9's targets with its measurement.
type Target struct {
	What     string
	Limit    string
	Measured string
	Pass     bool
}

// Issue 9's targets.
const (
	TargetFullRatio    = 1.5
	TargetRawRatio     = 2.0
	TargetRSSPerChunk  = 2.5
	TargetGetInfo      = 10 * time.Millisecond
	TargetFirstExtra   = 10 * time.Millisecond
	TargetPollingShare = 0.95
	TargetPollingCPU   = 0.10
)

// Targets returns the targets the report has measurements for.
func (r *Report) Targets() []Target {
	var ts []Target
	res := r.Results
	var rssPair *Pair
	for i := range res.Pairs {
		p := &res.Pairs[i]
		s := p.Cmd.Stream
		if s.Layout == benchdata.RawOnly.String() {
			ts = append(ts, Target{What: "_raw-only records: wall against their pass-through, " + s.Name, Limit: fmt.Sprintf("≤ %.1f×", TargetRawRatio),
				Measured: fmt.Sprintf("%.2f×", p.Ratio()), Pass: p.Ratio() <= TargetRawRatio})
			continue
		}
		ts = append(ts, Target{What: "full enrichment: wall against the pass-through, " + s.Name, Limit: fmt.Sprintf("≤ %.1f×", TargetFullRatio),
			Measured: fmt.Sprintf("%.2f×", p.Ratio()), Pass: p.Ratio() <= TargetFullRatio})
		if rssPair == nil || s.LargestChunk() > rssPair.Cmd.Stream.LargestChunk() {
			rssPair = p
		}
	}
	if rssPair != nil {
		x := rssPair.Cmd.RSSPerChunk()
		ts = append(ts, Target{What: "kubeenrich peak RSS against the largest chunk, " + rssPair.Cmd.Stream.Name, Limit: fmt.Sprintf("≤ %.1f×", TargetRSSPerChunk),
			Measured: fmt.Sprintf("%.2f× (%s of %s)", x, mb(rssPair.Cmd.MaxRSS()), mb(rssPair.Cmd.Stream.LargestChunk())), Pass: x <= TargetRSSPerChunk})
	}
	if len(res.Startup.Cmd.Runs) > 0 {
		gi, fe := res.Startup.Cmd.MedianGetInfo(), res.Startup.Cmd.MedianFirstExtra()
		ts = append(ts,
			Target{What: "getinfo reply after process start", Limit: "≤ " + ms(TargetGetInfo), Measured: ms(gi), Pass: gi <= TargetGetInfo},
			Target{What: "first execute reply's extra time (lookups load)", Limit: "≤ " + ms(TargetFirstExtra), Measured: ms(fe), Pass: fe <= TargetFirstExtra})
	}
	for i := range r.EKS {
		e := &r.EKS[i]
		if e.CallsPerSecond != 5 {
			continue
		}
		share := e.EventsPerSecond() / e.PageCeiling()
		ts = append(ts,
			Target{What: "eks_logs at 5 calls/s: delivery against five full pages a second", Limit: fmt.Sprintf("≥ %.0f%% of %s events/s", 100*TargetPollingShare, group(e.PageCeiling())),
				Measured: fmt.Sprintf("%.0f%% (%s events/s)", 100*share, group(e.EventsPerSecond())), Pass: share >= TargetPollingShare},
			Target{What: "eks_logs at 5 calls/s: CPU", Limit: fmt.Sprintf("< %.0f%% of one core", 100*TargetPollingCPU),
				Measured: fmt.Sprintf("%.1f%%", 100*e.CoreShare()), Pass: e.CoreShare() < TargetPollingCPU})
	}
	if st := r.Steady; st != nil {
		share := st.Sustainable() / (5 * st.PageEvents())
		ts = append(ts, Target{What: "eks_logs at 5 calls/s, steady state (default overlap and sweep_interval): events/s it keeps up with, against five full pages a second",
			Limit:    fmt.Sprintf("≥ %.0f%% of %s events/s", 100*TargetPollingShare, group(5*st.PageEvents())),
			Measured: fmt.Sprintf("%.0f%% (%s events/s: each event read %.2f times)", 100*share, group(st.Sustainable()), st.ReadsPerEvent()),
			Pass:     share >= TargetPollingShare})
	}
	return ts
}

// WriteMarkdown writes the report; full adds what RESULTS.md keeps: a
// title, how to reproduce it, and the Go benchmarks.
func (r *Report) WriteMarkdown(w io.Writer, full bool) error {
	var b strings.Builder
	res, m := r.Results, r.Results.Manifest
	if full {
		b.WriteString("# kubelens benchmarks\n\n")
		b.WriteString("Written by `make bench SAVE=1`. ")
		b.WriteString("`make bench` prints the same report without this title and the last section (it prints the Go benchmarks as they run). The targets, with their limits, close the report; read the ratios, which come from alternating runs, rather than the times.\n\n")
	}
	mc := r.Machine
	fmt.Fprintf(&b, "Machine: %s, %d cores, %s %s; %s; commit %s; load average %s before, %s after.\n\n",
		mc.CPU, mc.Cores, mc.Go, mc.OS, mc.Date, mc.Commit, orUnknown(mc.LoadBefore), orUnknown(mc.LoadAfter))
	st := m.Stats
	fmt.Fprintf(&b, "Streams: %s generated EKS audit events (seed %d), the same in every stream: `_raw` of %s B on average (largest %s B), %.1f%% with request or response objects; ",
		group(float64(m.Events)), m.Seed, group(st.AvgRawBytes), group(float64(st.MaxRawBytes)), 100*st.WithObjects)
	if len(m.Streams) > 0 {
		s := m.Streams[0]
		fmt.Fprintf(&b, "%d fields and their `__mv_` columns (%d columns), %s B of splunkd CSV per record; ",
			s.Columns/2, s.Columns, group(float64(s.BodyBytes)/float64(s.Records)))
	}
	fmt.Fprintf(&b, "`sourceIPs{}` multivalue in %.1f%%, `user.groups{}` in %.1f%%; distinct: %s users, %s source IPs, %s user agents, %s resources, %s verbs, %s verb-resource-subresource combinations, %s object names.\n\n",
		100*st.MultivalueSourceIPs, 100*st.MultivalueGroups, group(float64(st.Distinct["users"])), group(float64(st.Distinct["source_ips"])),
		group(float64(st.Distinct["user_agents"])), group(float64(st.Distinct["resources"])), group(float64(st.Distinct["verbs"])),
		group(float64(st.Distinct["requests"])), group(float64(st.Distinct["object_names"])))

	fmt.Fprintf(&b, "## kubeenrich against the pass-through\n\nMedian of %d rounds, the two commands run one after the other on each stream, fed in lock-step through pipes as splunkd feeds them; wall is process start to exit. MB = 10⁶ bytes.\n\n", res.Rounds)
	b.WriteString("| stream | command | median wall | min–max | records/s | MB/s | × pass-through | CPU (median) | CPU × pass-through | peak RSS | ÷ largest chunk |\n")
	b.WriteString("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	for i := range res.Pairs {
		p := &res.Pairs[i]
		for _, s := range []*Series{&p.Base, &p.Cmd} {
			writeRow(&b, s, &p.Base)
		}
	}
	if res.Python != nil {
		for i := range res.Pairs {
			if res.Pairs[i].Base.Stream == res.Python.Stream {
				writeRow(&b, res.Python, &res.Pairs[i].Base)
			}
		}
	}
	b.WriteString("\n")
	for i := range res.Pairs {
		s := res.Pairs[i].Base.Stream
		fmt.Fprintf(&b, "- %s: %s records in %d chunks of up to %s, %s layout, %s in all, largest chunk %s.\n",
			s.Name, group(float64(s.Records)), len(s.Chunks)-1, group(float64(s.ChunkRecords)), s.Layout, mb(s.Bytes), mb(s.LargestChunk()))
	}
	if res.Python != nil {
		fmt.Fprintf(&b, "- %s: one run only, on %s.\n", res.Python.Command, res.Python.Stream.Name)
	} else if r.PythonNote != "" {
		fmt.Fprintf(&b, "- The stdlib Python baseline did not run: %s.\n", r.PythonNote)
	}
	b.WriteString("- CPU is user plus system time. On a shared machine the wall ratio rises when other work takes a core from kubeenrich, which uses both; the CPU ratio hardly moves.\n")
	if r.HarnessRSS > 0 {
		fmt.Fprintf(&b, "- Peak RSS is the child's (wait4); the harness's own peak, %s, is a floor under it (Linux counts the parent's peak in a child started with vfork).\n", mb(r.HarnessRSS))
	}

	su := res.Startup
	if len(su.Cmd.Runs) > 0 {
		fmt.Fprintf(&b, "\n## Start-up\n\nMedian of %d runs each over a stream of getinfo and two identical execute requests of %d records.\n\n", len(su.Cmd.Runs), su.Cmd.Stream.ChunkRecords)
		fmt.Fprintf(&b, "| | %s | %s |\n|---|--:|--:|\n", su.Base.Command, su.Cmd.Command)
		fmt.Fprintf(&b, "| process start → getinfo reply | %s | %s |\n", ms(su.Base.MedianGetInfo()), ms(su.Cmd.MedianGetInfo()))
		fmt.Fprintf(&b, "| first execute reply's extra time (first − second) | %s | %s |\n", ms(su.Base.MedianFirstExtra()), ms(su.Cmd.MedianFirstExtra()))
	}

	b.WriteString("\n## eks_logs\n\n")
	if len(r.EKS) == 0 {
		fmt.Fprintf(&b, "Not measured: %s.\n", orUnknown(r.EKSNote))
	} else {
		b.WriteString("From the CloudWatch Logs fake (served by the harness, another process; pages of up to 1 MB or 10,000 events, no throttling) to the XML stream on eks_logs's stdout. Events/s is from the first event to the last; CPU is the eks_logs process's own.\n\n")
		b.WriteString("| max_calls_per_second | events | mean message | events/s | five full pages/s | CPU s per 100,000 events | CPU, share of one core |\n|--:|--:|--:|--:|--:|--:|--:|\n")
		for i := range r.EKS {
			e := &r.EKS[i]
			fmt.Fprintf(&b, "| %d | %s | %s B | %s | %s | %.2f | %.1f%% |\n", e.CallsPerSecond, group(float64(e.Events)), group(e.AvgMessage),
				group(e.EventsPerSecond()), group(e.PageCeiling()), e.CPUPer100k(), 100*e.CoreShare())
		}
	}

	r.writeSteady(&b)

	b.WriteString("\n## Targets\n\nThe project's speed and memory targets for kubeenrich and eks_logs (issue 9 of its tracker). Information: make bench does not fail on a miss.\n\n| target | limit | measured | |\n|---|---|---|---|\n")
	for _, t := range r.Targets() {
		verdict := "miss"
		if t.Pass {
			verdict = "pass"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", t.What, t.Limit, t.Measured, verdict)
	}
	r.writeBounds(&b)
	if full && r.GoBench != "" {
		b.WriteString("\n## Go benchmarks\n\nThe CSV reader and writer, the JSON reading, one record's enrichment, the whole command in process, the modular input's event writer, and eks_logs's checkpoint per page (`-benchmem`).\n\n```\n")
		b.WriteString(strings.TrimRight(r.GoBench, "\n"))
		b.WriteString("\n```\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeBounds writes, for each wall target, the CPU per record it leaves
// kubeenrich's enrichment and what that enrichment costs at the least, with
// a verdict that holds across the pass-through's spread of walls (see
// Verdict).
func (r *Report) writeBounds(b *strings.Builder) {
	if r.Floor == nil {
		if r.FloorNote != "" {
			fmt.Fprintf(b, "\nThe floor of kubeenrich's work per record was not measured: %s.\n", r.FloorNote)
		}
		return
	}
	f, cores := r.Floor, r.Machine.Cores
	fmt.Fprintf(b, "\n### What bounds the wall targets\n\n"+
		"Met, a wall target limits kubeenrich to L × W, L the limit and W the pass-through's wall. In that time the %d cores give at most %d × L × W of CPU; the harness takes F of it to feed kubeenrich and read its replies (its own CPU over kubeenrich's runs), and kubeenrich needs at least C, the pass-through's CPU, to read and write the same chunks. "+
		"So the enrichment can spend at most the budget B = %d × L × W − F − C, an upper bound that assumes every core busy from start to exit. W varies from run to run; B is given at the pass-through's median wall and at its fastest and slowest, and a verdict holds only when it holds across them. "+
		"The floor is the enrichment alone, measured in the harness on one thread (%s time, the cheapest of %d passes over %s events of the same generator): reading `_raw` (audit.Parser), and enriching a record from the fields its stream carries, held in memory, with the lookups kubeenrich reads (enrich.Worker; the reading of `_raw` included). "+
		"It leaves out reading the CSV (the Go benchmark DecodeTable below) and writing the added cells, which kubeenrich cannot skip either: it is lower than the least kubeenrich could spend. "+
		"kubeenrich's extra CPU is its CPU less the pass-through's. All figures per record, in µs.\n\n",
		cores, cores, cores, f.Timed, floorPasses, group(float64(f.Records)))
	if !selfCPUKnown {
		b.WriteString("This platform does not report the harness's CPU: F reads 0, and B is larger than it should be.\n\n")
	}
	b.WriteString("| stream | L | W (median) | F | C | B at the median W | B, fastest–slowest W | floor: reading `_raw` | floor: enriching | kubeenrich's extra CPU | verdict |\n|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|\n")
	for i := range r.Results.Pairs {
		p := &r.Results.Pairs[i]
		n := time.Duration(max(p.Base.Stream.Records, 1))
		limit, layout := TargetFullRatio, benchdata.Full
		if p.Cmd.Stream.Layout == benchdata.RawOnly.String() {
			limit, layout = TargetRawRatio, benchdata.RawOnly
		}
		lo, hi := BudgetAt(p, limit, cores, p.Base.MinWall()), BudgetAt(p, limit, cores, p.Base.MaxWall())
		fmt.Fprintf(b, "| %s | %.1f× | %s | %s | %s | %s | %s–%s | %s | %s | %s | %s |\n", p.Cmd.Stream.Name, limit,
			us(p.Base.MedianWall()/n), us(p.Cmd.MedianFeederCPU()/n), us(p.Base.MedianCPU()/n), us(Budget(p, limit, cores)), us(lo), us(hi),
			us(f.Parse), us(f.Enrich[layout]), us(ExtraCPU(p)), Verdict(p.Ratio() <= limit, f.Enrich[layout], ExtraCPU(p), lo, hi))
	}
}

// Verdict says what bounds a wall target, from whether it was met, the
// floor of the enrichment, kubeenrich's extra CPU and the budget B at the
// pass-through's fastest (lo) and slowest (hi) wall, per record.
func Verdict(met bool, floor, extra, lo, hi time.Duration) string {
	switch {
	case met && (hi <= 0 || floor > hi):
		return "met, though the floor is over every budget: a measurement is off"
	case hi <= 0:
		return "out of reach here: the pass-through's and the harness's CPU alone exceed what the cores give in the target's wall"
	case floor > hi:
		return fmt.Sprintf("out of reach here: the floor alone is over the budget by %s even at the slowest pass-through", us(floor-hi))
	case met:
		return "met"
	case floor >= lo:
		return "undecided: the floor is within the budget's spread"
	case extra > lo:
		return fmt.Sprintf("not ruled out by the floor: kubeenrich would have to spend %s less, of the %s it spends beyond the floor", us(extra-lo), us(extra-floor))
	default:
		return "the CPU fits the budget: the wall is lost to cores left idle"
	}
}

// us formats a duration in microseconds.
func us(d time.Duration) string { return fmt.Sprintf("%.2f", float64(d)/float64(time.Microsecond)) }

// writeRow writes a command's row, with its ratios to the pass-through's
// series on the same stream.
func writeRow(b *strings.Builder, s, base *Series) {
	fmt.Fprintf(b, "| %s | %s | %.3f s | %.2f–%.2f | %s | %s | %.2f | %.2f s | %.2f | %s | %.2f |\n",
		s.Stream.Name, s.Command, s.MedianWall().Seconds(), s.MinWall().Seconds(), s.MaxWall().Seconds(),
		group(s.RecordsPerSecond()), group(s.MBPerSecond()), s.MedianWall().Seconds()/base.MedianWall().Seconds(),
		s.MedianCPU().Seconds(), s.MedianCPU().Seconds()/base.MedianCPU().Seconds(), mb(s.MaxRSS()), s.RSSPerChunk())
}

// mb formats bytes as MB (10⁶).
func mb(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }

// ms formats a duration in milliseconds.
func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// group rounds x and writes it with thousands separators: 28,431.
func group(x float64) string {
	s := strconv.FormatInt(int64(x+0.5), 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// writeSteady writes the steady eks_logs run: what reading a log group that
// keeps receiving events costs in calls once the late sweeps read full
// windows, which a run over a fixed set of events never reaches.
func (r *Report) writeSteady(b *strings.Builder) {
	st := r.Steady
	if st == nil {
		if r.SteadyNote != "" {
			fmt.Fprintf(b, "\nThe steady eks_logs run did not happen: %s.\n", r.SteadyNote)
		}
		return
	}
	fmt.Fprintf(b, "\n### eks_logs at steady state\n\n"+
		"Events arrive at %s a second, each visible at once; eks_logs reads them at max_calls_per_second = 5 with the defaults' windowing sped up %d times (poll_interval %s, lag %s, overlap %s, sweep_interval %s), "+
		"and is measured over %s once it has run %s, so that every late sweep reads a full window. "+
		"Each event is read once by the poll that reaches it and again by every sweep whose window covers it, about 2 + overlap / sweep_interval times; "+
		"five full pages a second keep up with that many times fewer events than they carry. The sped-up polls add a partly filled page each, which the defaults' 30 s polls make a small share: the events/s it keeps up with count reads, not calls.\n\n"+
		"| arrived | delivered | kept up | FilterLogEvents calls/s | reads per event | events/s five full pages keep up with | CPU, share of one core |\n|--:|--:|---|--:|--:|--:|--:|\n",
		group(float64(st.Rate)), SteadyScale, steadyParams["poll_interval"], steadyParams["lag"], steadyParams["overlap"], steadyParams["sweep_interval"],
		st.Measure, st.Warmup)
	kept := "yes"
	if !st.KeptUp() {
		kept = "no"
	}
	fmt.Fprintf(b, "| %s | %s | %s | %.1f | %.2f | %s | %.1f%% |\n", group(float64(st.Arrived)), group(float64(st.Delivered)), kept,
		float64(st.Calls)/st.Measure.Seconds(), st.ReadsPerEvent(), group(st.Sustainable()), 100*st.CPU.Seconds()/st.Lifetime.Seconds())
}
