// Package hec is the HTTP Event Collector sink of eks_logs: events go to
// /services/collector/event as batches of concatenated event objects and
// count as delivered only once HEC's indexer acknowledgement says they
// were indexed (or, with ack off, once HEC answered 200 with code 0).
//
// The protocol facts it relies on (Splunk's "HTTP Event Collector REST API
// endpoints" and "About HTTP Event Collector Indexer Acknowledgment"):
//   - Authorization: Splunk <token>; X-Splunk-Request-Channel: <GUID>,
//     required when the token has acknowledgement on, harmless otherwise;
//     load balancers pin a channel to an indexer by cookie, so cookies are
//     kept;
//   - a reply {"text":"Success","code":0,"ackId":N}; POST
//     /services/collector/ack?channel=<GUID> with {"acks":[N,...]} answers
//     {"acks":{"N":true,...}} once the batch is indexed;
//   - codes: 1 token disabled and 4 invalid token (403), 2 token required
//     and 3 invalid authorization (401), 5 no data, 6 invalid data format,
//     7 incorrect index, 10 data channel missing, 11 invalid data channel,
//     12/13 event field, 14 ACK disabled (400), 8 internal error (500),
//     9 server busy (503); 413 for a body over max_content_length;
//   - ackIds are per channel: HEC numbers the requests it takes on a
//     channel 0, 1, 2, … and keeps that state in memory. An acknowledged
//     ackId's status is dropped once it was answered true. A restarted
//     HEC, or a load balancer that moves a channel to another indexer,
//     knows nothing of the channel: its ackIds start again at 0.
//
// When an acknowledgement counts (what keeps a restart from passing for
// delivery): an ackId's true counts only for the very request that
// received that ackId, asked on the same channel, and only while nothing
// suggests another HEC instance may have handed out the same ackId on
// that channel. So:
//   - each Send posts on a channel it holds alone (a small pool of
//     channels serves concurrent Sends, each with its own cookies, so that
//     a load balancer pins each channel to one indexer): its requests are
//     sequential and HEC's ackIds on it must grow;
//   - an ackId not greater than the last one HEC returned on the channel
//     means HEC lost the channel's state (restart, fail-over): the channel
//     is reset. No ackId on it counts any more; every batch waiting on it,
//     and the batch that revealed it, is sent again on a new channel;
//   - a request whose outcome is unknown (the connection failed after it
//     may have been sent, a timeout, a 5xx other than 503) resets the
//     channel too: HEC may have handed out ackIds the sink never saw, on
//     another instance. 429, 503 and connection refused mean HEC did not
//     take the request: the channel stays;
//   - a batch HEC says is not indexed AckTimeout after it was sent is sent
//     again on a new channel; the channels it was sent on before are still
//     asked, and the first acknowledgement of any copy counts. Each send
//     doubles the wait (AckTimeout, 2×, 4×, …). A batch is sent again at
//     most MaxResends times: when its last copy times out too, Send gives
//     up with a fatal error (HEC keeps taking it and never says it is
//     indexed: more copies would only be more duplicates);
//   - an acknowledgement request that fails is asked again at the next
//     poll; while HEC cannot answer, nothing is sent again, and nothing
//     counts as delivered. Refused, busy and failing event requests are
//     retried with backoff until ctx is done: the caller decides how long
//     an outage may last.
//
// Ambiguity is resolved towards sending again: a batch may be indexed
// twice (at most 1 + MaxResends copies, plus requests whose answer was
// lost), never counted as indexed when it was not.
package hec

import (
	"bytes"
	"compress/gzip"
	"context"
	crand "crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/kubelens/kubelens/src/sink"
	"github.com/sirupsen/logrus"
)

// Config says where and how to send.
type Config struct {
	// Name identifies the sink in logs and errors.
	Name string
	// URL is scheme://host[:port].
	URL   string
	Token string // never logged
	// Ack turns on indexer acknowledgement.
	Ack             bool
	AckPollInterval time.Duration
	AckTimeout      time.Duration
	// MaxResends bounds how many times a batch HEC took is sent again
	// (after AckTimeout, or after HEC lost its channel); 0 never sends
	// again.
	MaxResends int
	// CAFile is a PEM bundle trusted for the HEC certificate.
	CAFile             string
	InsecureSkipVerify bool
	Gzip               bool
	// MaxBatchBytes bounds a request body before compression.
	MaxBatchBytes int
	// MaxBackoff bounds the wait between retries.
	MaxBackoff time.Duration
	// Timeout bounds one HTTP request.
	Timeout time.Duration
	Log     logrus.FieldLogger
}

// MaxBatchEvents is the most events one request carries.
const MaxBatchEvents = 10000

// HEC is the sink. It is safe for concurrent use.
type HEC struct {
	cfg       Config
	transport *http.Transport

	mu   sync.Mutex
	idle []*channel // channels a Send left clean, for the next one
}

var _ sink.Sink = (*HEC)(nil)

// New returns a HEC sink.
func New(cfg Config) (*HEC, error) {
	if cfg.AckPollInterval <= 0 {
		cfg.AckPollInterval = time.Second
	}
	if cfg.AckTimeout <= 0 {
		cfg.AckTimeout = time.Minute
	}
	if cfg.MaxBatchBytes <= 0 {
		cfg.MaxBatchBytes = 1 << 20
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = 30 * time.Second
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.Log == nil {
		l := logrus.New()
		l.Out = io.Discard
		cfg.Log = l
	}
	tlsCfg := &tls.Config{InsecureSkipVerify: cfg.InsecureSkipVerify} //nolint:gosec // the admin's explicit choice, warned about at start
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("hec: %s: ca_file: %w", cfg.Name, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("hec: %s: ca_file %s holds no PEM certificate", cfg.Name, cfg.CAFile)
		}
		tlsCfg.RootCAs = pool
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = tlsCfg
	return &HEC{cfg: cfg, transport: tr}, nil
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	crand.Read(b[:]) // never fails
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// Name implements sink.Sink.
func (h *HEC) Name() string { return h.cfg.Name }

// Close implements sink.Sink.
func (h *HEC) Close() error {
	h.transport.CloseIdleConnections()
	return nil
}

// channel is one X-Splunk-Request-Channel, with its own cookies (a load
// balancer pins a channel to an indexer by cookie) and what HEC said on
// it.
type channel struct {
	id     string
	client *http.Client
	// lastAck is the highest ackId HEC returned on the channel, -1 before
	// the first.
	lastAck int64
	// reset: HEC may have lost the channel's state, or handed out ackIds
	// the sink never saw; no acknowledgement on it counts any more.
	reset bool
}

func (h *HEC) newChannel() *channel {
	jar, _ := cookiejar.New(nil) // never fails without options
	return &channel{id: newUUID(), client: &http.Client{Transport: h.transport, Jar: jar, Timeout: h.cfg.Timeout}, lastAck: -1}
}

// acquire returns a channel for one Send alone.
func (h *HEC) acquire() *channel {
	h.mu.Lock()
	defer h.mu.Unlock()
	if n := len(h.idle); n > 0 {
		ch := h.idle[n-1]
		h.idle = h.idle[:n-1]
		return ch
	}
	return h.newChannel()
}

// release gives a channel back for the next Send.
func (h *HEC) release(ch *channel) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.idle = append(h.idle, ch)
}

// batch is one request body and the events in it.
type batch struct {
	events []sink.Event
	body   []byte
	// copies are the requests HEC took it with, on channels not reset; an
	// acknowledgement of any of them counts.
	copies []ackRef
	// sends counts the requests HEC took it with.
	sends int
	// due is when its latest copy times out.
	due time.Time
}

// ackRef is an ackId on the channel it was handed out on.
type ackRef struct {
	ch *channel
	id int64
}

// split cuts events into batches of at most MaxBatchBytes (a larger event
// goes alone) and MaxBatchEvents.
func (h *HEC) split(events []sink.Event) []*batch {
	var out []*batch
	cur := &batch{}
	var obj []byte
	for _, e := range events {
		obj = sink.AppendHEC(obj[:0], e)
		if len(cur.events) > 0 && (len(cur.body)+len(obj) > h.cfg.MaxBatchBytes || len(cur.events) == MaxBatchEvents) {
			out = append(out, cur)
			cur = &batch{}
		}
		cur.body = append(cur.body, obj...)
		cur.events = append(cur.events, e)
	}
	if len(cur.events) > 0 {
		out = append(out, cur)
	}
	return out
}

// halves splits a batch HEC refused as too large.
func (h *HEC) halves(b *batch) []*batch {
	n := len(b.events) / 2
	var out []*batch
	for _, part := range [][]sink.Event{b.events[:n], b.events[n:]} {
		nb := &batch{events: part}
		for _, e := range part {
			nb.body = sink.AppendHEC(nb.body, e)
		}
		out = append(out, nb)
	}
	return out
}

// session is one Send: its batches, and the channel it posts on.
type session struct {
	h   *HEC
	cur *channel
	// queue waits to be posted; waiting was taken and waits for its
	// acknowledgement.
	queue   []*batch
	waiting []*batch
	rep     sink.Report
	// failed ends the Send: a batch HEC never acknowledged.
	failed error
	// ackFailures counts acknowledgement requests failed in a row.
	ackFailures int
}

// Send implements sink.Sink. It posts every batch on a channel of its
// own, then (with ack) asks for the acknowledgements every
// AckPollInterval. A batch not acknowledged within its timeout, or whose
// channel was reset, is posted again on a new channel (at most MaxResends
// times), logged at WARN and counted in the report. It returns when every
// batch is acknowledged, on a fatal answer or a batch never acknowledged,
// or when ctx is done. Batches that become durable are reported to
// sink.Progress as they do. Everything logged names the sink, channels,
// ackIds and eventIds, never the token.
func (h *HEC) Send(ctx context.Context, events []sink.Event) (sink.Report, error) {
	s := &session{h: h, cur: h.acquire(), queue: h.split(events)}
	err := s.run(ctx)
	if err == nil && !s.cur.reset {
		// Every request on it was answered and acknowledged: its ackIds
		// stay in step with HEC's.
		h.release(s.cur)
	}
	return s.rep, err
}

func (s *session) run(ctx context.Context) error {
	h := s.h
	tick := time.NewTimer(0)
	defer tick.Stop()
	for len(s.queue) > 0 || len(s.waiting) > 0 {
		for len(s.queue) > 0 {
			b := s.queue[0]
			s.queue = s.queue[1:]
			err := s.post(ctx, b)
			if errors.Is(err, errTooLarge) {
				if len(b.events) == 1 {
					return sink.Fatal(h.cfg.Name, fmt.Errorf("hec: event %s (%d bytes as a HEC event) is larger than HEC accepts (413); raise max_content_length in Splunk's limits.conf [http_input]", b.events[0].ID, len(b.body)))
				}
				s.queue = append(h.halves(b), s.queue...)
				continue
			}
			if err != nil {
				return err
			}
			if s.failed != nil {
				return s.failed
			}
		}
		if len(s.waiting) == 0 {
			break
		}
		tick.Reset(h.cfg.AckPollInterval)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
		answered, err := s.pollAcks(ctx)
		if err != nil {
			return err
		}
		if s.failed != nil {
			return s.failed
		}
		s.expire(time.Now(), answered)
		if s.failed != nil {
			return s.failed
		}
	}
	return nil
}

// waitingOn counts the waiting batches whose latest copy is on ch.
func (s *session) waitingOn(ch *channel) int {
	n := 0
	for _, b := range s.waiting {
		if b.copies[len(b.copies)-1].ch == ch {
			n++
		}
	}
	return n
}

// resetChannel stops trusting ch: the acknowledgements of its ackIds no
// longer count, and each waiting batch whose latest copy was on it is
// queued to be sent again. A new channel replaces it for posting.
func (s *session) resetChannel(ch *channel) {
	if ch.reset {
		return
	}
	ch.reset = true
	if ch == s.cur {
		s.cur = s.h.newChannel()
	}
	still := s.waiting[:0]
	for _, b := range s.waiting { // each has a copy: see expire, and below
		latest := b.copies[len(b.copies)-1].ch
		b.copies = dropChannel(b.copies, ch)
		if latest == ch && s.again(b, "HEC may have lost the channel a batch waited on", logrus.Fields{"channel": ch.id}) {
			continue
		}
		if len(b.copies) == 0 {
			s.giveUp(b) // nothing left to wait for
			continue
		}
		still = append(still, b)
	}
	clear(s.waiting[len(still):])
	s.waiting = still
}

func dropChannel(refs []ackRef, ch *channel) []ackRef {
	out := refs[:0]
	for _, r := range refs {
		if r.ch != ch {
			out = append(out, r)
		}
	}
	return out
}

// again queues a batch HEC took to be sent again, unless it was sent
// 1 + MaxResends times already (false). The WARN says why, names the
// batch by its first eventId and counts the re-sends.
func (s *session) again(b *batch, why string, fields logrus.Fields) bool {
	h := s.h
	if b.sends > h.cfg.MaxResends {
		return false
	}
	s.rep.Resent++
	h.cfg.Log.WithFields(fields).WithFields(logrus.Fields{"sink": h.cfg.Name, "events": len(b.events), "first_event_id": b.events[0].ID,
		"resend": b.sends, "max_resends": h.cfg.MaxResends, "next_ack_timeout": h.ackTimeout(b.sends + 1).String()}).
		Warn(why + "; sending it again on a new channel (its events may be indexed twice)")
	s.queue = append(s.queue, b)
	return true
}

// ackTimeout is how long the nth send of a batch waits for its
// acknowledgement: AckTimeout, doubled with each send.
func (h *HEC) ackTimeout(n int) time.Duration {
	return h.cfg.AckTimeout << min(max(n-1, 0), 16)
}

// giveUp ends the Send: HEC took b 1 + MaxResends times and said none of
// them is indexed.
func (s *session) giveUp(b *batch) {
	if s.failed != nil {
		return
	}
	h := s.h
	var total time.Duration
	for n := 1; n <= b.sends; n++ {
		total += h.ackTimeout(n)
	}
	s.failed = sink.Fatal(h.cfg.Name, fmt.Errorf("hec: HEC took a batch of %d events (first eventId %s) %d times and acknowledged none of them (ack_timeout %s, doubled with each send: %s in all; max_resends %d): "+
		"check that indexer acknowledgement works for the token, that indexing is not blocked, and that a load balancer keeps each channel on one indexer (sticky sessions); stopping rather than sending it again",
		len(b.events), b.events[0].ID, b.sends, h.cfg.AckTimeout, total, h.cfg.MaxResends))
}

// post sends one batch until HEC takes it, retrying busy, failing and
// unreachable endpoints with backoff. With ack, the batch then waits for
// its acknowledgement (or is queued again when its ackId reveals that
// HEC lost the channel's state).
func (s *session) post(ctx context.Context, b *batch) error {
	h := s.h
	backoff := sink.Backoff{Max: h.cfg.MaxBackoff}
	for n := 1; ; n++ {
		ch := s.cur
		status, r, _, err := h.do(ctx, ch, "/services/collector/event", b.body, h.cfg.Gzip)
		unknown := false
		switch {
		case err != nil && ctx.Err() != nil:
			ch.reset = true // a request may be in flight: never post on it again
			return ctx.Err()
		case err != nil:
			// Refused connections were never sent; anything else may have
			// reached HEC.
			unknown = !notSent(err)
		case status == http.StatusRequestEntityTooLarge:
			return errTooLarge
		default:
			retryable, jerr := h.judge(status, r)
			if jerr == nil {
				return s.taken(ctx, b, ch, r)
			}
			if !retryable {
				return jerr
			}
			err = jerr
			// 429 and 503 (HEC busy, or a load balancer with no indexer)
			// refuse the request; other 5xx may come after HEC took it.
			unknown = status != http.StatusTooManyRequests && status != http.StatusServiceUnavailable
		}
		d := backoff.Next()
		e := h.cfg.Log.WithFields(logrus.Fields{"sink": h.cfg.Name, "attempt": n, "retry_in": d.String()}).WithError(err)
		if unknown {
			e.WithFields(logrus.Fields{"channel": ch.id, "waiting_batches": s.waitingOn(ch)}).
				Warn("HEC send events failed, and HEC may have taken the request; retrying on a new channel, and sending again the batches that waited for acknowledgement on the old one")
			s.resetChannel(ch)
		} else {
			e.Warn("HEC send events failed; retrying")
		}
		if err := sink.Sleep(ctx, d); err != nil {
			return err
		}
	}
}

// taken records HEC's 200 for b on ch.
func (s *session) taken(ctx context.Context, b *batch, ch *channel, r reply) error {
	h := s.h
	if !h.cfg.Ack {
		sink.Progress(ctx, len(b.events))
		return nil
	}
	if r.AckID == nil {
		return sink.Fatal(h.cfg.Name, errors.New("hec: ack is true but HEC returned no ackId: turn on indexer acknowledgement for the token, or set ack: false"))
	}
	id := *r.AckID
	b.sends++
	if id <= ch.lastAck {
		// HEC numbers a channel's requests upwards: it no longer knows this
		// channel (restarted, or another indexer answers). The ackIds of
		// the batches waiting on it may now name other requests.
		h.cfg.Log.WithFields(logrus.Fields{"sink": h.cfg.Name, "channel": ch.id, "ack_id": id, "last_ack_id": ch.lastAck}).
			Warn("HEC handed out an ackId it had handed out before on this channel: it restarted or a load balancer moved the channel to another indexer, and may have lost batches it had taken; sending them again on a new channel")
		s.resetChannel(ch)
		if !s.again(b, "HEC took a batch on a channel it had lost", logrus.Fields{"channel": ch.id, "ack_id": id}) {
			s.giveUp(b)
		}
		return nil
	}
	ch.lastAck = id
	b.copies = append(b.copies, ackRef{ch: ch, id: id})
	b.due = time.Now().Add(h.ackTimeout(b.sends))
	s.waiting = append(s.waiting, b)
	return nil
}

// notSent reports whether a transport error happened before the request
// could reach HEC (no connection).
func notSent(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// pollAcks asks, on each channel with batches waiting, which are
// indexed, and reports those to sink.Progress. It returns the channels
// that answered. A failed request is asked again at the next poll; only
// an answer no retry can change is an error.
func (s *session) pollAcks(ctx context.Context) (map[*channel]bool, error) {
	h := s.h
	byChannel := map[*channel][]int64{}
	var order []*channel
	for _, b := range s.waiting {
		for _, ref := range b.copies {
			if byChannel[ref.ch] == nil {
				order = append(order, ref.ch)
			}
			byChannel[ref.ch] = append(byChannel[ref.ch], ref.id)
		}
	}
	acked := map[ackRef]bool{}
	answered := map[*channel]bool{}
	for _, ch := range order {
		if ch.reset {
			continue
		}
		ids, err := h.queryAcks(ctx, ch, byChannel[ch])
		var unknown *unknownChannelError
		switch {
		case errors.As(err, &unknown):
			h.cfg.Log.WithFields(logrus.Fields{"sink": h.cfg.Name, "channel": ch.id}).WithError(err).
				Warn("HEC no longer knows a channel (it restarted, or another indexer answers); sending the batches waiting on it again on a new channel")
			s.resetChannel(ch)
			continue
		case ctx.Err() != nil:
			return nil, ctx.Err()
		case sink.IsFatal(err):
			return nil, err
		case err != nil:
			s.ackFailures++
			if s.ackFailures&(s.ackFailures-1) == 0 { // 1, 2, 4, 8, …: a WARN, not a flood
				h.cfg.Log.WithFields(logrus.Fields{"sink": h.cfg.Name, "failures": s.ackFailures, "retry_in": h.cfg.AckPollInterval.String()}).WithError(err).
					Warn("HEC query acknowledgements failed; asking again (nothing is sent again until HEC answers)")
			}
			continue
		}
		s.ackFailures = 0
		answered[ch] = true
		for _, id := range ids {
			acked[ackRef{ch: ch, id: id}] = true
		}
	}
	still := s.waiting[:0]
	for _, b := range s.waiting {
		if slices.ContainsFunc(b.copies, func(r ackRef) bool { return acked[r] && !r.ch.reset }) {
			sink.Progress(ctx, len(b.events))
			continue
		}
		still = append(still, b)
	}
	clear(s.waiting[len(still):])
	s.waiting = still
	return answered, nil
}

// expire queues again, on a new channel, the batches HEC says are not
// indexed although their latest copy's timeout has passed; it gives up
// on a batch sent 1 + MaxResends times. A batch whose channel did not
// answer waits: HEC may have indexed it.
func (s *session) expire(now time.Time, answered map[*channel]bool) {
	h := s.h
	still := s.waiting[:0]
	rotated := false
	for _, b := range s.waiting {
		last := b.copies[len(b.copies)-1]
		if now.Before(b.due) || !answered[last.ch] {
			still = append(still, b)
			continue
		}
		if b.sends > h.cfg.MaxResends {
			s.giveUp(b)
			continue
		}
		if !rotated {
			// The channel may be pinned to an indexer that lost it: post on
			// a fresh one (with fresh cookies). The old one is still asked
			// for the copies it carries.
			s.cur = h.newChannel()
			rotated = true
		}
		s.again(b, "HEC did not acknowledge a batch within ack_timeout", logrus.Fields{"channel": last.ch.id, "ack_id": last.id, "waited": h.ackTimeout(b.sends).String()})
	}
	clear(s.waiting[len(still):])
	s.waiting = still
}

// errTooLarge is a 413.
var errTooLarge = errors.New("hec: request entity too large")

// reply is HEC's answer body.
type reply struct {
	Text  string `json:"text"`
	Code  *int   `json:"code"`
	AckID *int64 `json:"ackId"`
}

// queryAcks asks, once, which of ids are indexed on ch.
func (h *HEC) queryAcks(ctx context.Context, ch *channel, ids []int64) ([]int64, error) {
	body, _ := json.Marshal(map[string][]int64{"acks": ids})
	status, r, raw, err := h.do(ctx, ch, "/services/collector/ack?channel="+ch.id, body, false)
	if err != nil {
		return nil, err
	}
	if status == http.StatusBadRequest && r.Code != nil && (*r.Code == 10 || *r.Code == 11) {
		return nil, &unknownChannelError{fmt.Errorf("hec: %s: HTTP %d, code %d: %s", h.cfg.Name, status, *r.Code, r.Text)}
	}
	if _, err := h.judge(status, r); err != nil {
		return nil, err
	}
	var acks struct {
		Acks map[string]bool `json:"acks"`
	}
	if err := json.Unmarshal(raw, &acks); err != nil {
		return nil, fmt.Errorf("hec: %s: acknowledgement reply is not JSON: %w", h.cfg.Name, err)
	}
	var out []int64
	for _, id := range ids {
		if acks.Acks[strconv.FormatInt(id, 10)] {
			out = append(out, id)
		}
	}
	return out, nil
}

// unknownChannelError is HEC refusing to answer for a channel (code 10
// or 11 at the acknowledgement endpoint).
type unknownChannelError struct{ err error }

func (e *unknownChannelError) Error() string { return e.err.Error() }
func (e *unknownChannelError) Unwrap() error { return e.err }

// judge classifies an answer: nil for success; a retryable error for 429,
// 503 and other 5xx; a fatal one, naming HEC's code and text, otherwise.
func (h *HEC) judge(status int, r reply) (bool, error) {
	code := -1
	if r.Code != nil {
		code = *r.Code
	}
	switch {
	case status == http.StatusOK && (code == 0 || r.Code == nil):
		return false, nil
	case status == http.StatusTooManyRequests || status >= 500:
		return true, fmt.Errorf("hec: HTTP %d, code %d: %s", status, code, r.Text)
	}
	hint := ""
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		hint = " (check the token)"
	case code == 7:
		hint = " (the index is not allowed for this token, or does not exist)"
	case code == 10 || code == 11:
		hint = " (the channel was refused)"
	case code == 14:
		hint = " (the token has indexer acknowledgement off: turn it on, or set ack: false)"
	}
	return false, sink.Fatal(h.cfg.Name, fmt.Errorf("hec: HTTP %d, code %d: %s%s", status, code, r.Text, hint))
}

// do makes one request on a channel. Transport errors (refused, reset,
// timeouts) come back as errors, never naming the token.
func (h *HEC) do(ctx context.Context, ch *channel, path string, body []byte, gz bool) (int, reply, []byte, error) {
	var r reply
	payload := body
	if gz {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(body)
		zw.Close()
		payload = buf.Bytes()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.cfg.URL+path, bytes.NewReader(payload))
	if err != nil {
		return 0, r, nil, sink.Fatal(h.cfg.Name, fmt.Errorf("hec: %w", err))
	}
	req.Header.Set("Authorization", "Splunk "+h.cfg.Token)
	req.Header.Set("X-Splunk-Request-Channel", ch.id)
	req.Header.Set("Content-Type", "application/json")
	if gz {
		req.Header.Set("Content-Encoding", "gzip")
	}
	resp, err := ch.client.Do(req)
	if err != nil {
		return 0, r, nil, fmt.Errorf("hec: %s: %w", h.cfg.Name, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return 0, r, nil, fmt.Errorf("hec: %s: read reply: %w", h.cfg.Name, err)
	}
	if json.Unmarshal(raw, &r) != nil && resp.StatusCode == http.StatusOK {
		return 0, r, nil, fmt.Errorf("hec: %s: HTTP 200 with a reply that is not HEC's JSON", h.cfg.Name)
	}
	if r.Text == "" {
		r.Text = http.StatusText(resp.StatusCode)
	}
	return resp.StatusCode, r, raw, nil
}

// Check reaches HEC once without sending an event: an empty body must be
// refused for having no data (code 5), which proves the token is accepted;
// with ack, the acknowledgement endpoint must answer too. For --check.
func (h *HEC) Check(ctx context.Context) error {
	ch := h.newChannel()
	status, r, _, err := h.do(ctx, ch, "/services/collector/event", nil, false)
	if err != nil {
		return err
	}
	if !(status == http.StatusBadRequest && r.Code != nil && *r.Code == 5) {
		if _, err := h.judge(status, r); err != nil {
			return err
		}
	}
	if h.cfg.Ack {
		status, r, _, err := h.do(ctx, ch, "/services/collector/ack?channel="+ch.id, []byte(`{"acks":[0]}`), false)
		if err != nil {
			return err
		}
		if _, err := h.judge(status, r); err != nil {
			return err
		}
	}
	return nil
}
