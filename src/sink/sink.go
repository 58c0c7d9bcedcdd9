// Package sink is the seam between the eks_logs puller and where its
// events go. It imports only the standard library.
//
// The package provides:
//   - Event, one event with the metadata splunkd, HEC and SCS all take;
//   - Sink, what every destination implements: the modular input's XML
//     stream (modinput.EventWriter), HEC (sink/hec), Splunk Cloud Services
//     (sink/scs) and Stdout;
//   - FatalError, which a sink returns when retrying can never help (a
//     refused token, an unknown index): the process stops rather than loop;
//   - AppendHEC and FormatTime, the HEC event object and its time field,
//     shared by the HEC and stdout sinks;
//   - WithProgress and Progress, through which a sink that delivers a
//     Send's events in steps tells its caller as each step becomes durable
//     (slow delivery from stalled delivery).
package sink

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"
)

// Backoff is the wait between the attempts of a request that failed:
// from 50 ms, doubling up to Max, each wait drawn from the upper half of
// the current one, so that sinks that failed together do not retry in
// step. The zero value with Max set is ready.
type Backoff struct {
	Max  time.Duration
	next time.Duration
}

// Next returns the wait before the next attempt.
func (b *Backoff) Next() time.Duration {
	if b.next == 0 {
		b.next = min(50*time.Millisecond, b.Max)
	}
	d := b.next/2 + rand.N(b.next/2+1)
	b.next = min(b.next*2, b.Max)
	return d
}

// Sleep waits d, or returns ctx's error as soon as ctx is done.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Event is one event, as the modular input writes it to splunkd.
type Event struct {
	// TimeMillis is the CloudWatch timestamp, epoch milliseconds.
	TimeMillis int64
	Host       string
	// Source is <region>:<log group>:<log stream>.
	Source     string
	SourceType string
	// Index is empty when the input sets none: the destination's default.
	Index string
	// Data is the CloudWatch message, verbatim.
	Data string
	// ID is the CloudWatch eventId (56 decimal digits): SCS deduplicates
	// on it, and a fatal error names it.
	ID string
}

// Size is the bytes an event holds in memory, for queue bounds.
func (e Event) Size() int {
	return len(e.Data) + len(e.Source) + len(e.Host) + len(e.SourceType) + len(e.Index) + len(e.ID) + 64
}

// Report says what one Send did beyond delivering.
type Report struct {
	// Resent counts batches sent again because their acknowledgement did
	// not come in time, or HEC lost the channel they waited on: Splunk may
	// index those events twice.
	Resent int
}

// Sink is a destination. Send may be called by several goroutines at once
// (one per input).
type Sink interface {
	// Name identifies the sink in log lines: sinks[0] (hec).
	Name() string
	// Send delivers events and returns nil only once every one of them has
	// been durably taken (HEC with ack: indexed; stdout: written). It
	// retries what is worth retrying until ctx is done, then returns
	// ctx's error; a *FatalError means it never will.
	Send(ctx context.Context, events []Event) (Report, error)
	// Close releases the sink's resources.
	Close() error
}

// progressKey carries a Send's progress function in its context.
type progressKey struct{}

// WithProgress returns a context carrying f, which Progress calls with the
// number of events that became durable (HEC: acknowledged as indexed), as
// they do, from the goroutine calling Send.
func WithProgress(ctx context.Context, f func(events int)) context.Context {
	return context.WithValue(ctx, progressKey{}, f)
}

// Progress reports n events durably taken to the function ctx carries, if
// any. Sinks call it during Send; a Send that returns nil has reported, or
// delivered, every event.
func Progress(ctx context.Context, n int) {
	if f, ok := ctx.Value(progressKey{}).(func(int)); ok && n > 0 {
		f(n)
	}
}

// FatalError is a failure retrying cannot fix: the service stops with
// exit code 1, naming the sink and the reason.
type FatalError struct {
	Sink string
	Err  error
}

func (e *FatalError) Error() string { return e.Sink + ": " + e.Err.Error() }
func (e *FatalError) Unwrap() error { return e.Err }

// Fatal wraps err as a *FatalError of the named sink.
func Fatal(sink string, err error) error { return &FatalError{Sink: sink, Err: err} }

// IsFatal reports whether err is, or wraps, a *FatalError.
func IsFatal(err error) bool {
	var fe *FatalError
	return errors.As(err, &fe)
}

// FormatTime renders epoch milliseconds as seconds with exactly three
// decimals (1700000000.123), the form of splunkd's <time> and HEC's time,
// without float rounding.
func FormatTime(ms int64) string {
	neg := ms < 0
	if neg {
		ms = -ms
	}
	frac := strconv.FormatInt(ms%1000, 10)
	s := strconv.FormatInt(ms/1000, 10) + "." + "000"[len(frac):] + frac
	if neg {
		return "-" + s
	}
	return s
}

// AppendHEC appends e as a HEC event object: {"time": <seconds with
// milliseconds>, "host", "source", "sourcetype", "index" (when set),
// "event": the message as a JSON string}. Characters JSON cannot carry
// (invalid UTF-8) become U+FFFD; nothing else changes.
func AppendHEC(b []byte, e Event) []byte {
	b = append(b, `{"time":`...)
	b = append(b, FormatTime(e.TimeMillis)...)
	field := func(name, v string) {
		if v == "" {
			return
		}
		b = append(b, `,"`...)
		b = append(b, name...)
		b = append(b, `":`...)
		b = appendJSONString(b, v)
	}
	field("host", e.Host)
	field("source", e.Source)
	field("sourcetype", e.SourceType)
	field("index", e.Index)
	b = append(b, `,"event":`...)
	b = appendJSONString(b, e.Data)
	return append(b, '}')
}

var encPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// appendJSONString quotes s as encoding/json does, without HTML escaping
// (the event stays as the cluster wrote it).
func appendJSONString(b []byte, s string) []byte {
	buf := encPool.Get().(*bytes.Buffer)
	buf.Reset()
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	enc.Encode(s) // a string always encodes
	out := append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
	encPool.Put(buf)
	return out
}

// Stdout writes one HEC event object per line to a writer, for piping into
// another tool. An event counts as delivered once written and flushed.
type Stdout struct {
	name string
	mu   sync.Mutex
	w    *bufio.Writer
	buf  []byte
}

var _ Sink = (*Stdout)(nil)

// NewStdout returns a Stdout sink writing to w.
func NewStdout(name string, w io.Writer) *Stdout {
	return &Stdout{name: name, w: bufio.NewWriterSize(w, 64<<10)}
}

// Name implements Sink.
func (s *Stdout) Name() string { return s.name }

// Send implements Sink: it writes the events and flushes once. A write
// error is fatal: the reader is gone.
func (s *Stdout) Send(_ context.Context, events []Event) (Report, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range events {
		s.buf = AppendHEC(s.buf[:0], e)
		s.buf = append(s.buf, '\n')
		if _, err := s.w.Write(s.buf); err != nil {
			return Report{}, Fatal(s.name, fmt.Errorf("sink: write: %w", err))
		}
	}
	if err := s.w.Flush(); err != nil {
		return Report{}, Fatal(s.name, fmt.Errorf("sink: write: %w", err))
	}
	return Report{}, nil
}

// Close implements Sink.
func (s *Stdout) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Flush()
}
