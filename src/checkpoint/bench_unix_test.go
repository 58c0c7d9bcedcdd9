//go:build unix

package checkpoint

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"syscall"
	"testing"
	"time"
)

// BenchmarkPageSave is what each delivered page costs the checkpoint: a
// cursor holding ids IDs, perMs to a millisecond (the overlap window's
// events), takes a page of 800 new IDs at its newest end and prunes as
// many at its oldest, and the state is saved. "full" writes the whole
// state each page (what Save did before the journal: encode, temp file,
// fsync, rename, directory fsync); "journal" is Save (a record per page,
// and a new base whenever the journal outgrows the last one: run it for
// enough pages to include compactions, e.g. -benchtime 3000x). Per page:
// ns/op is the wall time, fsyncs included; cpu-ns/page the process's CPU
// time (user and system); written-B/page the bytes written to the
// checkpoint files. Making each page's state (the cursor's Saved: a copy
// of the bucket headers) is outside the timings; both ways pay it.
func BenchmarkPageSave(b *testing.B) {
	const page = 800
	for _, perMs := range []int{1, 4} {
		for _, ids := range []int{100_000, 1_000_000} {
			for _, mode := range []string{"full", "journal"} {
				b.Run(fmt.Sprintf("ids=%d/per_ms=%d/%s", ids, perMs, mode), func(b *testing.B) {
					s, err := Open(b.TempDir(), "eks_logs://bench")
					if err != nil {
						b.Fatal(err)
					}
					defer s.Close()
					rng := rand.New(rand.NewPCG(1, 2))
					bucket := func(ts int64) Bucket {
						h := make([]uint64, perMs)
						for i := range h {
							h[i] = rng.Uint64()
						}
						slices.Sort(h)
						return Bucket{Timestamp: ts, IDs: h}
					}
					seen := make([]Bucket, 0, ids/perMs)
					ts := int64(1_700_000_000_000)
					for range ids / perMs {
						seen = append(seen, bucket(ts))
						ts++
					}
					state := func() State {
						c := Cursor{Region: "us-east-1", LogGroup: "/aws/eks/prod/cluster", Prefix: "kube-apiserver-audit-",
							Position: Position{Watermark: ts - 1, Floor: 1, SeenFrom: seen[0].Timestamp, SweptTo: ts - 1000}, Seen: slices.Clone(seen)}
						return State{Cursors: []Cursor{c}}
					}
					if err := s.Save(state()); err != nil { // the base the journal follows
						b.Fatal(err)
					}
					var written int64
					var cpu time.Duration
					pages := 0
					b.ResetTimer()
					for b.Loop() {
						b.StopTimer()
						for range page / perMs { // the page, and the matching prune
							seen = append(seen[1:], bucket(ts))
							ts++
						}
						st := state()
						journal, gen := s.journalSize, s.gen
						before := cpuTime()
						b.StartTimer()
						if mode == "full" {
							err = s.writeBase(st)
						} else {
							err = s.Save(st)
						}
						b.StopTimer()
						cpu += cpuTime() - before
						if err != nil {
							b.Fatal(err)
						}
						if s.gen != gen { // a base: its bytes, and the journal's truncation
							written += int64(s.baseSize)
						} else {
							written += s.journalSize - journal
						}
						pages++
						b.StartTimer()
					}
					b.ReportMetric(float64(cpu.Nanoseconds())/float64(pages), "cpu-ns/page")
					b.ReportMetric(float64(written)/float64(pages), "written-B/page")
					b.ReportMetric(float64(s.baseSize), "base-B")
				})
			}
		}
	}
}

// cpuTime is the CPU time (user and system) the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkReplayJournal is what a start pays for the journal: Read of a
// base of 100,000 IDs (at one a millisecond) and a journal of records of
// 800-event pages, as large as JournalFloor or as the base (the most a
// journal grows to before a compaction).
func BenchmarkReplayJournal(b *testing.B) {
	for _, size := range []int64{JournalFloor, 2_700_000} {
		b.Run(fmt.Sprintf("journal=%d", size), func(b *testing.B) {
			dir := b.TempDir()
			s, err := Open(dir, "eks_logs://bench")
			if err != nil {
				b.Fatal(err)
			}
			s.journalFloor = MaxFileSize
			rng := rand.New(rand.NewPCG(1, 2))
			var seen []Bucket
			ts := int64(1_700_000_000_000)
			add := func() {
				seen = append(seen, Bucket{Timestamp: ts, IDs: []uint64{rng.Uint64()}})
				ts++
			}
			for range 100_000 {
				add()
			}
			save := func() {
				if err := s.Save(State{Cursors: []Cursor{{Region: "r", LogGroup: "g", Position: Position{Watermark: ts}, Seen: slices.Clone(seen)}}}); err != nil {
					b.Fatal(err)
				}
			}
			save()
			for s.journalSize < size {
				for range 800 {
					seen = seen[1:]
					add()
				}
				save()
			}
			records := s.seq
			kill(s)
			b.ResetTimer()
			for b.Loop() {
				if _, jr, err := Read(dir, "eks_logs://bench"); err != nil || jr.Records != int(records) {
					b.Fatal(jr, err)
				}
			}
			b.ReportMetric(float64(records), "records")
		})
	}
}
