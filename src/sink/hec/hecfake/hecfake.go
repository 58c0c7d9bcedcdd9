// Package hecfake is an in-process fake of Splunk's HTTP Event Collector
// for tests: the event endpoint (/services/collector/event, concatenated
// event objects, gzip or not) and indexer acknowledgement
// (/services/collector/ack), over real HTTP.
//
// It checks what a real HEC checks (the token, the channel header, the
// index allow list, the body size) and misbehaves on demand: busy (503
// code 9), throttled (429), failing (500) answers, on the event or the
// acknowledgement endpoint; a batch taken whose answer never arrives (the
// connection is closed instead); slow acknowledgements; lost
// acknowledgements (the batch is indexed but its ackId never turns true);
// a restart (Restart, CrashAfter: what was not indexed yet is lost, and
// every channel's ackIds start again at 0, as after a splunkd restart or
// a load balancer moving a channel to another indexer); and refused
// connections (start it late with NewAt). It sets a load-balancer cookie
// and counts requests that come back without it.
//
// Nothing here is production code.
package hecfake

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Event is one event HEC indexed.
type Event struct {
	Time       json.Number `json:"time"`
	Host       string      `json:"host"`
	Source     string      `json:"source"`
	SourceType string      `json:"sourcetype"`
	Index      string      `json:"index"`
	Event      string      `json:"event"`
	Channel    string      `json:"-"`
}

// Fault is a scripted failure of the event endpoint.
type Fault int

// Scripted failures.
const (
	Busy        Fault = iota // 503, code 9 "Server is busy"
	TooMany                  // 429
	Internal                 // 500, code 8
	Unavailable              // 503 with a non-JSON body, as a load balancer answers
	// NoReply takes the batch (it is indexed and gets an ackId) but closes
	// the connection instead of answering: the sender cannot know whether
	// it was taken. Event requests only.
	NoReply
)

// Stats counts what the fake served.
type Stats struct {
	EventRequests, AckRequests, Batches, Events int
	Faults, TooLarge, Refused                   int
	LostAcks                                    int
	WithoutCookie                               int
	// Restarts counts restarts; LostInRestart the events they lost (taken,
	// not yet indexed).
	Restarts, LostInRestart int
}

// Server is a running fake; its methods are safe for concurrent use.
type Server struct {
	URL string
	srv *httptest.Server

	mu          sync.Mutex
	tokens      map[string]bool
	ackEnabled  bool
	ackDelay    time.Duration
	loseNext    int
	script      []Fault
	ackScript   []Fault
	indexes     map[string]bool
	maxBody     int
	batches     []*batch
	acks        map[string]map[int64]*batch // channel -> ackId
	nextAck     map[string]int64
	cookies     map[string]bool
	stats       Stats
	disabledTok map[string]bool
	// crashIn > 0: that many more batches are taken but never indexed,
	// then the instance restarts before the next request.
	crashIn   int
	crashDue  bool
	crashThen []Fault
}

// batch is one request's events and their indexing state.
type batch struct {
	events  []Event
	at      time.Time // indexed from then on
	never   bool      // never indexed (the instance will crash)
	ackLost bool      // indexed, but the ackId never turns true
	lost    bool      // lost in a restart before it was indexed
}

// Option configures the fake.
type Option func(*Server)

// WithAck turns indexer acknowledgement on for the tokens (the default).
func WithAck(on bool) Option { return func(s *Server) { s.ackEnabled = on } }

// WithAckDelay makes every batch take d to be indexed.
func WithAckDelay(d time.Duration) Option { return func(s *Server) { s.ackDelay = d } }

// WithIndexes restricts the indexes events may name (code 7 otherwise).
func WithIndexes(names ...string) Option {
	return func(s *Server) {
		s.indexes = map[string]bool{}
		for _, n := range names {
			s.indexes[n] = true
		}
	}
}

// WithMaxBody sets max_content_length: larger bodies (uncompressed) get 413.
func WithMaxBody(n int) Option { return func(s *Server) { s.maxBody = n } }

func newServer(tokens []string, opts []Option) *Server {
	s := &Server{tokens: map[string]bool{}, ackEnabled: true, acks: map[string]map[int64]*batch{},
		nextAck: map[string]int64{}, cookies: map[string]bool{}, disabledTok: map[string]bool{}}
	for _, t := range tokens {
		s.tokens[t] = true
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// New starts a fake accepting the given tokens.
func New(tokens []string, opts ...Option) *Server {
	s := newServer(tokens, opts)
	s.srv = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	s.URL = s.srv.URL
	return s
}

// NewAt starts a fake on addr (host:port), e.g. one a client was already
// refused at.
func NewAt(addr string, tokens []string, opts ...Option) (*Server, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := newServer(tokens, opts)
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serveHTTP))
	s.srv.Listener.Close()
	s.srv.Listener = l
	s.srv.Start()
	s.URL = s.srv.URL
	return s, nil
}

// FreeAddr returns a loopback address nothing listens on (yet).
func FreeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// Close stops the server.
func (s *Server) Close() { s.srv.CloseClientConnections(); s.srv.Close() }

// FailNext makes the next n event requests fail with f.
func (s *Server) FailNext(n int, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.script = append(s.script, f)
	}
}

// ClearFaults drops the scripted failures not served yet, on both
// endpoints: HEC is well again.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script, s.ackScript = nil, nil
}

// FailNextAcks makes the next n acknowledgement requests fail with f
// (NoReply answers as Unavailable there).
func (s *Server) FailNextAcks(n int, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.ackScript = append(s.ackScript, f)
	}
}

// Restart simulates a restart of HEC's instance, or a load balancer
// moving every channel to another indexer: the batches not indexed yet
// are lost (their events leave Events), and no channel's ackIds are known
// any more: each channel's next ackId is 0 again.
func (s *Server) Restart() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.restart()
}

func (s *Server) restart() {
	now := time.Now()
	for _, b := range s.batches {
		if !b.lost && (b.never || now.Before(b.at)) {
			b.lost = true
			s.stats.LostInRestart += len(b.events)
		}
	}
	s.acks = map[string]map[int64]*batch{}
	s.nextAck = map[string]int64{}
	s.stats.Restarts++
	s.script = append(s.script, s.crashThen...)
	s.crashIn, s.crashDue, s.crashThen = 0, false, nil
}

// CrashAfter makes the next n batches taken (answered with an ackId) but
// never indexed, after which the instance restarts (see Restart) before
// it serves the next request: those n batches are lost, and ackIds start
// again at 0. The restarted instance then answers its first event
// requests with the faults then, as FailNext.
func (s *Server) CrashAfter(n int, then ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.crashIn, s.crashDue, s.crashThen = n, n == 0, then
}

// LoseNextAcks makes the next n batches indexed but never acknowledged.
func (s *Server) LoseNextAcks(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.loseNext += n
}

// SetAckDelay changes the time batches take to be indexed.
func (s *Server) SetAckDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ackDelay = d
}

// DisableToken makes a token answer 403 code 1 from now on.
func (s *Server) DisableToken(tok string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.disabledTok[tok] = true
}

// Events returns the events taken and not lost in a restart, in arrival
// order. With acknowledgement, a restart loses those not indexed yet.
func (s *Server) Events() []Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Event
	for _, b := range s.batches {
		if !b.lost {
			out = append(out, b.events...)
		}
	}
	return out
}

// Stats returns the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

func reply(w http.ResponseWriter, status, code int, text string, extra map[string]any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	m := map[string]any{"text": text, "code": code}
	for k, v := range extra {
		m[k] = v
	}
	json.NewEncoder(w).Encode(m)
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.crashDue {
		s.restart()
	}
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Splunk ")
	switch {
	case r.Header.Get("Authorization") == "":
		reply(w, 401, 2, "Token is required", nil)
		return
	case !ok:
		reply(w, 401, 3, "Invalid authorization", nil)
		return
	case s.disabledTok[tok]:
		reply(w, 403, 1, "Token disabled", nil)
		return
	case !s.tokens[tok]:
		reply(w, 403, 4, "Invalid token", nil)
		return
	}
	channel := r.Header.Get("X-Splunk-Request-Channel")
	if channel == "" {
		channel = r.URL.Query().Get("channel")
	}
	if s.ackEnabled && channel == "" {
		reply(w, 400, 10, "Data channel is missing", nil)
		return
	}
	if channel != "" && !validGUID(channel) {
		reply(w, 400, 11, "Invalid data channel", nil)
		return
	}
	// A load balancer pins the channel to an indexer by cookie.
	if c, err := r.Cookie("hec_lb"); err != nil || c.Value != channel {
		if s.cookies[channel] {
			s.stats.WithoutCookie++
		}
		s.cookies[channel] = true
		http.SetCookie(w, &http.Cookie{Name: "hec_lb", Value: channel, Path: "/"})
	}
	switch r.URL.Path {
	case "/services/collector/event", "/services/collector", "/services/collector/event/1.0":
		s.event(w, r, channel)
	case "/services/collector/ack":
		s.ack(w, r, channel)
	default:
		reply(w, 404, 404, "Not Found", nil)
	}
}

func validGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if c != '-' {
				return false
			}
		} else if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
			return false
		}
	}
	return true
}

func (s *Server) event(w http.ResponseWriter, r *http.Request, channel string) {
	s.stats.EventRequests++
	var body io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			reply(w, 400, 6, "Invalid data format", nil)
			return
		}
		body = zr
	}
	raw, err := io.ReadAll(io.LimitReader(body, 1<<30))
	if err != nil {
		reply(w, 400, 6, "Invalid data format", nil)
		return
	}
	if s.maxBody > 0 && len(raw) > s.maxBody {
		s.stats.TooLarge++
		w.WriteHeader(http.StatusRequestEntityTooLarge)
		io.WriteString(w, "<html>Content-Length of "+strconv.Itoa(len(raw))+" too large</html>")
		return
	}
	noReply := false
	if len(s.script) > 0 {
		f := s.script[0]
		s.script = s.script[1:]
		s.stats.Faults++
		if f == NoReply {
			noReply = true
		} else {
			fail(w, f)
			return
		}
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		reply(w, 400, 5, "No data", nil)
		return
	}
	var evs []Event
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	for n := 0; d.More(); n++ {
		var e Event
		var probe map[string]json.RawMessage
		if err := d.Decode(&probe); err != nil {
			reply(w, 400, 6, "Invalid data format", map[string]any{"invalid-event-number": n})
			return
		}
		if _, ok := probe["event"]; !ok {
			reply(w, 400, 12, "Event field is required", map[string]any{"invalid-event-number": n})
			return
		}
		b, _ := json.Marshal(probe)
		dd := json.NewDecoder(bytes.NewReader(b))
		dd.UseNumber()
		if err := dd.Decode(&e); err != nil || e.Event == "" {
			reply(w, 400, 13, "Event field cannot be blank", map[string]any{"invalid-event-number": n})
			return
		}
		if s.indexes != nil && e.Index != "" && !s.indexes[e.Index] {
			reply(w, 400, 7, "Incorrect index", map[string]any{"invalid-event-number": n})
			return
		}
		e.Channel = channel
		evs = append(evs, e)
	}
	b := &batch{events: evs, at: time.Now().Add(s.ackDelay)}
	s.batches = append(s.batches, b)
	s.stats.Batches++
	s.stats.Events += len(evs)
	if s.crashIn > 0 {
		b.never = true
		s.crashIn--
		s.crashDue = s.crashIn == 0
	}
	if !s.ackEnabled {
		if !noReply {
			reply(w, 200, 0, "Success", nil)
		} else {
			hangUp(w)
		}
		return
	}
	id := s.nextAck[channel]
	s.nextAck[channel]++
	if s.loseNext > 0 {
		s.loseNext--
		b.ackLost = true
		s.stats.LostAcks++
	}
	if s.acks[channel] == nil {
		s.acks[channel] = map[int64]*batch{}
	}
	s.acks[channel][id] = b
	if noReply {
		hangUp(w)
		return
	}
	reply(w, 200, 0, "Success", map[string]any{"ackId": id})
}

// fail answers a scripted failure.
func fail(w http.ResponseWriter, f Fault) {
	switch f {
	case Busy:
		reply(w, 503, 9, "Server is busy", nil)
	case TooMany:
		reply(w, 429, 9, "Too many requests", nil)
	case Internal:
		reply(w, 500, 8, "Internal server error", nil)
	default:
		w.WriteHeader(503)
		io.WriteString(w, "<html>503 Service Unavailable</html>")
	}
}

// hangUp closes the connection without an answer.
func hangUp(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic("hecfake: cannot hang up: " + err.Error())
	}
	conn.Close()
}

func (s *Server) ack(w http.ResponseWriter, r *http.Request, channel string) {
	s.stats.AckRequests++
	if len(s.ackScript) > 0 {
		f := s.ackScript[0]
		s.ackScript = s.ackScript[1:]
		s.stats.Faults++
		fail(w, f)
		return
	}
	if !s.ackEnabled {
		reply(w, 400, 14, "ACK is disabled", nil)
		return
	}
	var req struct {
		Acks []int64 `json:"acks"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		reply(w, 400, 6, "Invalid data format", nil)
		return
	}
	out := map[string]bool{}
	now := time.Now()
	for _, id := range req.Acks {
		// As splunkd: true once indexed, then the status is dropped (a
		// later query answers false; the same id twice in one query
		// answers once).
		b, ok := s.acks[channel][id]
		done := ok && !b.never && !b.ackLost && !now.Before(b.at)
		if done {
			delete(s.acks[channel], id)
		}
		out[fmt.Sprint(id)] = out[fmt.Sprint(id)] || done
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"acks": out})
}
