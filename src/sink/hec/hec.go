// Package hec is the HTTP Event Collector sink of eks_logs: events go to
// /services/collector/event as batches of concatenated event objects, on
// one channel, and count as delivered only once HEC's indexer
// acknowledgement says they were indexed (or, with ack off, once HEC
// answered 200 with code 0).
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
//     9 server busy (503); 413 for a body over max_content_length.
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
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"os"
	"strconv"
	"sync/atomic"
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
	cfg     Config
	client  *http.Client
	channel string
	resent  atomic.Int64
}

var _ sink.Sink = (*HEC)(nil)

// New returns a HEC sink with a fresh channel.
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
	jar, _ := cookiejar.New(nil) // never fails without options
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = tlsCfg
	return &HEC{
		cfg:     cfg,
		client:  &http.Client{Transport: tr, Jar: jar, Timeout: cfg.Timeout},
		channel: newUUID(),
	}, nil
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	crand.Read(b[:]) // never fails
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// Channel returns the channel GUID every request carries.
func (h *HEC) Channel() string { return h.channel }

// Name implements sink.Sink.
func (h *HEC) Name() string { return h.cfg.Name }

// Close implements sink.Sink.
func (h *HEC) Close() error {
	h.client.CloseIdleConnections()
	return nil
}

// batch is one request body and the events in it.
type batch struct {
	events []sink.Event
	body   []byte
	ackID  int64
	sentAt time.Time
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

// Send implements sink.Sink. It posts every batch, then (with ack) polls
// the ackIds every AckPollInterval; a batch not acknowledged within
// AckTimeout is posted again, logged at WARN with its ackId and counted in
// the report. It returns when every batch is acknowledged, on a fatal
// answer, or when ctx is done.
func (h *HEC) Send(ctx context.Context, events []sink.Event) (sink.Report, error) {
	var rep sink.Report
	queue := h.split(events)
	var waiting []*batch
	tick := time.NewTimer(0)
	defer tick.Stop()
	for len(queue) > 0 || len(waiting) > 0 {
		for len(queue) > 0 {
			b := queue[0]
			queue = queue[1:]
			ackID, err := h.post(ctx, b)
			if errors.Is(err, errTooLarge) {
				if len(b.events) == 1 {
					return rep, sink.Fatal(h.cfg.Name, fmt.Errorf("hec: event %s (%d bytes as a HEC event) is larger than HEC accepts (413); raise max_content_length in Splunk's limits.conf [http_input]", b.events[0].ID, len(b.body)))
				}
				queue = append(h.halves(b), queue...)
				continue
			}
			if err != nil {
				return rep, err
			}
			if !h.cfg.Ack {
				continue
			}
			b.ackID, b.sentAt = ackID, time.Now()
			waiting = append(waiting, b)
		}
		if len(waiting) == 0 {
			break
		}
		tick.Reset(h.cfg.AckPollInterval)
		select {
		case <-ctx.Done():
			return rep, ctx.Err()
		case <-tick.C:
		}
		ids := make([]int64, len(waiting))
		for i, b := range waiting {
			ids[i] = b.ackID
		}
		acked, err := h.queryAcks(ctx, ids)
		if err != nil {
			return rep, err
		}
		still := waiting[:0]
		now := time.Now()
		for _, b := range waiting {
			switch {
			case acked[b.ackID]:
			case now.Sub(b.sentAt) >= h.cfg.AckTimeout:
				h.cfg.Log.WithFields(logrus.Fields{"sink": h.cfg.Name, "ack_id": b.ackID, "events": len(b.events), "ack_timeout": h.cfg.AckTimeout.String()}).
					Warn("HEC did not acknowledge a batch within ack_timeout; sending it again (its events may be indexed twice)")
				rep.Resent++
				h.resent.Add(1)
				queue = append(queue, b)
			default:
				still = append(still, b)
			}
		}
		waiting = still
	}
	return rep, nil
}

// errTooLarge is a 413.
var errTooLarge = errors.New("hec: request entity too large")

// reply is HEC's answer body.
type reply struct {
	Text  string `json:"text"`
	Code  *int   `json:"code"`
	AckID *int64 `json:"ackId"`
}

// post sends one batch until HEC takes it, retrying busy, failing and
// unreachable endpoints with backoff. It returns the ackId (with ack).
func (h *HEC) post(ctx context.Context, b *batch) (int64, error) {
	var ackID int64
	err := h.retry(ctx, "send events", func() (bool, error) {
		status, r, err := h.do(ctx, "/services/collector/event", b.body, h.cfg.Gzip)
		if err != nil {
			return true, err
		}
		if status == http.StatusRequestEntityTooLarge {
			return false, errTooLarge
		}
		if retryable, err := h.judge(status, r); err != nil {
			return retryable, err
		}
		if h.cfg.Ack {
			if r.AckID == nil {
				return false, sink.Fatal(h.cfg.Name, errors.New("hec: ack is true but HEC returned no ackId: turn on indexer acknowledgement for the token, or set ack: false"))
			}
			ackID = *r.AckID
		}
		return false, nil
	})
	return ackID, err
}

// queryAcks asks which ackIds are indexed.
func (h *HEC) queryAcks(ctx context.Context, ids []int64) (map[int64]bool, error) {
	body, _ := json.Marshal(map[string][]int64{"acks": ids})
	out := map[int64]bool{}
	err := h.retry(ctx, "query acknowledgements", func() (bool, error) {
		status, r, raw, err := h.doRaw(ctx, "/services/collector/ack?channel="+h.channel, body, false)
		if err != nil {
			return true, err
		}
		if retryable, err := h.judge(status, r); err != nil {
			return retryable, err
		}
		var acks struct {
			Acks map[string]bool `json:"acks"`
		}
		if err := json.Unmarshal(raw, &acks); err != nil {
			return true, fmt.Errorf("hec: acknowledgement reply is not JSON: %w", err)
		}
		for k, v := range acks.Acks {
			if n, err := strconv.ParseInt(k, 10, 64); err == nil && v {
				out[n] = true
			}
		}
		return false, nil
	})
	return out, err
}

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

// retry runs attempt until it succeeds, fails fatally or ctx is done,
// waiting an exponentially growing, jittered time up to MaxBackoff between
// retryable failures.
func (h *HEC) retry(ctx context.Context, what string, attempt func() (retryable bool, err error)) error {
	wait := min(50*time.Millisecond, h.cfg.MaxBackoff)
	for n := 1; ; n++ {
		retryable, err := attempt()
		if err == nil || !retryable {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		d := wait/2 + rand.N(wait/2+1)
		h.cfg.Log.WithFields(logrus.Fields{"sink": h.cfg.Name, "attempt": n, "retry_in": d.String()}).WithError(err).Warn("HEC " + what + " failed; retrying")
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		wait = min(wait*2, h.cfg.MaxBackoff)
	}
}

func (h *HEC) do(ctx context.Context, path string, body []byte, gz bool) (int, reply, error) {
	status, r, _, err := h.doRaw(ctx, path, body, gz)
	return status, r, err
}

// doRaw makes one request. Transport errors (refused, reset, timeouts)
// come back as errors, never naming the token.
func (h *HEC) doRaw(ctx context.Context, path string, body []byte, gz bool) (int, reply, []byte, error) {
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
	req.Header.Set("X-Splunk-Request-Channel", h.channel)
	req.Header.Set("Content-Type", "application/json")
	if gz {
		req.Header.Set("Content-Encoding", "gzip")
	}
	resp, err := h.client.Do(req)
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
	status, r, err := h.do(ctx, "/services/collector/event", nil, false)
	if err != nil {
		return err
	}
	if !(status == http.StatusBadRequest && r.Code != nil && *r.Code == 5) {
		if _, err := h.judge(status, r); err != nil {
			return err
		}
	}
	if h.cfg.Ack {
		if _, err := h.queryAcksOnce(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (h *HEC) queryAcksOnce(ctx context.Context) (bool, error) {
	status, r, _, err := h.doRaw(ctx, "/services/collector/ack?channel="+h.channel, []byte(`{"acks":[0]}`), false)
	if err != nil {
		return false, err
	}
	_, err = h.judge(status, r)
	return err == nil, err
}
