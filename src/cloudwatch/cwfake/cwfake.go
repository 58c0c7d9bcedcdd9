// Package cwfake is an in-process fake of the CloudWatch Logs API for tests.
// It speaks the real wire protocol (AWS JSON 1.1: POST /, X-Amz-Target
// Logs_20140328.FilterLogEvents, application/x-amz-json-1.1, errors as
// {"__type": …}), so the real aws-sdk-go-v2 client is pointed at it with a
// base endpoint and exercises its own serializers, retries and error types.
//
// It models what makes CloudWatch Logs hard to read losslessly:
//   - pagination by nextToken, with empty pages that still carry a token
//     (optionally the very token that was sent) and a final empty page;
//   - page caps (limit, a configurable events-per-page cap, 1 MB);
//   - results ordered by (timestamp, ingestion time, ID) across streams;
//   - events that become visible only after their ingestion time (late
//     arrival), against an injectable clock;
//   - ThrottlingException storms, 500/503 responses,
//     ResourceNotFoundException for absent groups;
//   - STS AssumeRole (awsQuery/XML), so role assumption can be tested too.
//
// Nothing here is production code; the package is importable by tests in
// other packages and by the end-to-end tests in tests/.
package cwfake

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
)

// Event is one log event held by the fake.
type Event struct {
	Group     string
	Stream    string
	Timestamp int64 // epoch ms, producer time
	Message   string
	// Ingest is when the event becomes visible to FilterLogEvents (and its
	// reported ingestionTime). Zero means visible from the moment it is Put.
	Ingest time.Time
	ID     string // assigned by Put: 56 decimal digits like the real ones
}

// Faults makes the fake misbehave the way CloudWatch Logs does. Rates are
// probabilities per request (or per page) drawn from a seeded source.
type Faults struct {
	ThrottleRate    float64 // 400 ThrottlingException
	ServerErrorRate float64 // 500 InternalFailure or 503 ServiceUnavailableException
	// EmptyPageRate is the chance that a page which has events to return
	// returns none and a token instead; also the chance that a page which
	// exhausts the results still carries a token, leading to an empty last page.
	EmptyPageRate float64
	// RepeatToken makes injected empty pages return the token they were sent.
	RepeatToken bool
	// PageSize caps events per page below the request's limit (0: no cap).
	PageSize int
	Seed     int64
}

// ErrorKind selects a scripted failure for FailNext.
type ErrorKind int

// Scripted failures.
const (
	Throttle ErrorKind = iota
	InternalError
	Unavailable
	// Hang accepts the request and never answers (until the client gives
	// up or the server closes): a stalled endpoint.
	Hang
	// Hangup closes the connection without answering: a keep-alive
	// connection a load balancer or NAT dropped under the request.
	Hangup
)

// Stats counts what the fake has served.
type Stats struct {
	Requests, Pages, EmptyPages, EventsServed int
	Throttled, ServerErrors, NotFound         int
	AssumeRoleCalls                           int
	Hung                                      int
}

// Request records the parameters of one FilterLogEvents call.
type Request struct {
	AccessKeyID         string
	LogGroupName        string
	LogStreamNamePrefix string
	StartTime, EndTime  *int64
	Limit               *int32
	NextToken           string
}

// AssumeRoleRequest records one sts:AssumeRole call.
type AssumeRoleRequest struct {
	AccessKeyID, RoleArn, ExternalID, RoleSessionName string
}

// Server is a running fake. Its methods are safe for concurrent use.
type Server struct {
	URL  string
	srv  *httptest.Server
	stop chan struct{}

	mu       sync.Mutex
	now      func() time.Time
	groups   map[string][]*Event
	seq      int64
	faults   Faults
	rng      *rand.Rand
	script   []ErrorKind
	stats    Stats
	requests []Request
	assumes  []AssumeRoleRequest
}

// Option configures New.
type Option func(*Server)

// WithClock sets the clock that decides which events are visible.
func WithClock(now func() time.Time) Option { return func(s *Server) { s.now = now } }

// WithFaults sets the initial faults.
func WithFaults(f Faults) Option { return func(s *Server) { s.setFaults(f) } }

// New starts a fake on a loopback port. Close it when done.
func New(opts ...Option) *Server {
	s := &Server{now: time.Now, groups: map[string][]*Event{}, rng: rand.New(rand.NewSource(1)), stop: make(chan struct{})}
	for _, o := range opts {
		o(s)
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	s.URL = s.srv.URL
	return s
}

// Close stops the server, releasing hung requests first.
func (s *Server) Close() {
	close(s.stop)
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// CreateGroup makes an empty log group exist.
func (s *Server) CreateGroup(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.groups[name]; !ok {
		s.groups[name] = nil
	}
}

// DeleteGroup removes a group and its events.
func (s *Server) DeleteGroup(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.groups, name)
}

// Put stores events (creating their groups), assigns IDs and returns them.
func (s *Server) Put(events ...Event) []Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Event, 0, len(events))
	for _, e := range events {
		s.seq++
		if e.Ingest.IsZero() {
			e.Ingest = s.now()
		}
		// 56 digits: timestamp then a sequence, so IDs are unique and stable.
		e.ID = fmt.Sprintf("%032d%024d", e.Timestamp, s.seq)
		ev := e
		s.groups[e.Group] = append(s.groups[e.Group], &ev)
		out = append(out, e)
	}
	for g := range s.groups {
		sortEvents(s.groups[g])
	}
	return out
}

// Events returns every event of a group, visible or not, in result order.
func (s *Server) Events(group string) []Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Event, 0, len(s.groups[group]))
	for _, e := range s.groups[group] {
		out = append(out, *e)
	}
	return out
}

// SetFaults replaces the faults (and reseeds their random source).
func (s *Server) SetFaults(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.setFaults(f)
}

func (s *Server) setFaults(f Faults) {
	s.faults = f
	s.rng = rand.New(rand.NewSource(f.Seed))
}

// FailNext makes the next n FilterLogEvents requests fail with kind: a
// throttling storm or an outage of known length.
func (s *Server) FailNext(n int, kind ErrorKind) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.script = append(s.script, kind)
	}
}

// Stats returns counters of what was served so far.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// Requests returns the FilterLogEvents calls received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// AssumeRoleRequests returns the sts:AssumeRole calls received so far.
func (s *Server) AssumeRoleRequests() []AssumeRoleRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]AssumeRoleRequest(nil), s.assumes...)
}

func sortEvents(evs []*Event) {
	sort.SliceStable(evs, func(i, j int) bool { return less(evs[i], evs[j]) })
}

// less is the documented result order: event timestamp, then ingestion
// time, then the ID (standing in for the PutLogEvents request ID).
func less(a, b *Event) bool {
	if a.Timestamp != b.Timestamp {
		return a.Timestamp < b.Timestamp
	}
	if ai, bi := a.Ingest.UnixMilli(), b.Ingest.UnixMilli(); ai != bi {
		return ai < bi
	}
	return a.ID < b.ID
}

var credentialRE = regexp.MustCompile(`^AWS4-HMAC-SHA256 Credential=([^/]+)/`)

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		writeError(w, 400, "SerializationException", "cannot read body")
		return
	}
	m := credentialRE.FindStringSubmatch(r.Header.Get("Authorization"))
	if r.Method != http.MethodPost || m == nil {
		writeError(w, 403, "MissingAuthenticationTokenException", "Missing Authentication Token")
		return
	}
	keyID := m[1]
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		s.serveSTS(w, keyID, body)
		return
	}
	if target := r.Header.Get("X-Amz-Target"); target != "Logs_20140328.FilterLogEvents" {
		writeError(w, 400, "UnknownOperationException", "fake supports FilterLogEvents only, got "+target)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
		writeError(w, 400, "SerializationException", "bad content type "+ct)
		return
	}
	s.filterLogEvents(r.Context(), w, keyID, body)
}

type filterRequest struct {
	LogGroupName        string   `json:"logGroupName"`
	LogGroupIdentifier  string   `json:"logGroupIdentifier"`
	LogStreamNamePrefix string   `json:"logStreamNamePrefix"`
	LogStreamNames      []string `json:"logStreamNames"`
	StartTime           *int64   `json:"startTime"`
	EndTime             *int64   `json:"endTime"`
	Limit               *int32   `json:"limit"`
	NextToken           *string  `json:"nextToken"`
	FilterPattern       *string  `json:"filterPattern"`
}

type wireEvent struct {
	LogStreamName string `json:"logStreamName"`
	Timestamp     int64  `json:"timestamp"`
	Message       string `json:"message"`
	IngestionTime int64  `json:"ingestionTime"`
	EventID       string `json:"eventId"`
}

// position is what a nextToken encodes: the sort key of the last event
// returned, plus a digest of the query so a token cannot be reused for
// another one (as the real service refuses).
type position struct {
	Query string `json:"q"`
	TS    int64  `json:"t"`
	Ing   int64  `json:"i"`
	ID    string `json:"d"`
	Nonce int64  `json:"n"`
}

const maxPageBytes = 1 << 20

func (s *Server) filterLogEvents(ctx context.Context, w http.ResponseWriter, keyID string, body []byte) {
	var req filterRequest
	if err := json.Unmarshal(body, &req); err != nil {
		writeError(w, 400, "SerializationException", "malformed JSON")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.Requests++
	rec := Request{AccessKeyID: keyID, LogGroupName: req.LogGroupName, LogStreamNamePrefix: req.LogStreamNamePrefix,
		StartTime: req.StartTime, EndTime: req.EndTime, Limit: req.Limit}
	if req.NextToken != nil {
		rec.NextToken = *req.NextToken
	}
	s.requests = append(s.requests, rec)

	if len(s.script) > 0 {
		kind := s.script[0]
		s.script = s.script[1:]
		if kind == Hang {
			s.stats.Hung++
			s.mu.Unlock()
			select {
			case <-ctx.Done():
			case <-s.stop:
			}
			s.mu.Lock() // for the deferred Unlock
			return
		}
		if kind == Hangup {
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					conn.Close()
					return
				}
			}
		}
		s.writeFault(w, kind)
		return
	}
	if s.faults.ThrottleRate > 0 && s.rng.Float64() < s.faults.ThrottleRate {
		s.writeFault(w, Throttle)
		return
	}
	if s.faults.ServerErrorRate > 0 && s.rng.Float64() < s.faults.ServerErrorRate {
		s.writeFault(w, InternalError+ErrorKind(s.rng.Intn(2)))
		return
	}

	group := req.LogGroupName
	if group == "" {
		group = req.LogGroupIdentifier
	}
	if group == "" {
		writeError(w, 400, "InvalidParameterException", "logGroupName or logGroupIdentifier is required")
		return
	}
	if req.LogStreamNamePrefix != "" && len(req.LogStreamNames) > 0 {
		writeError(w, 400, "InvalidParameterException", "Cannot specify both logStreamNamePrefix and logStreamNames")
		return
	}
	if req.FilterPattern != nil && *req.FilterPattern != "" {
		writeError(w, 400, "InvalidParameterException", "the fake does not implement filter patterns")
		return
	}
	limit := 10000
	if req.Limit != nil {
		if *req.Limit < 1 || *req.Limit > 10000 {
			writeError(w, 400, "InvalidParameterException", "limit must be between 1 and 10000")
			return
		}
		limit = int(*req.Limit)
	}
	events, ok := s.groups[group]
	if !ok {
		s.stats.NotFound++
		writeError(w, 400, "com.amazonaws.logs#ResourceNotFoundException", "The specified log group does not exist.")
		return
	}
	qd := queryDigest(group, req)
	var after *position
	if req.NextToken != nil {
		p, err := decodeToken(*req.NextToken)
		if err != nil || p.Query != qd {
			writeError(w, 400, "InvalidParameterException", "The specified nextToken is invalid.")
			return
		}
		after = &p
	}

	now := s.now()
	names := map[string]bool{}
	for _, n := range req.LogStreamNames {
		names[n] = true
	}
	var matching []*Event
	for _, e := range events {
		if e.Ingest.After(now) {
			continue // not ingested yet: invisible, as late data is
		}
		if req.LogStreamNamePrefix != "" && !strings.HasPrefix(e.Stream, req.LogStreamNamePrefix) {
			continue
		}
		if len(names) > 0 && !names[e.Stream] {
			continue
		}
		if req.StartTime != nil && e.Timestamp < *req.StartTime {
			continue
		}
		if req.EndTime != nil && e.Timestamp > *req.EndTime {
			continue
		}
		if after != nil && !less(&Event{Timestamp: after.TS, Ingest: time.UnixMilli(after.Ing), ID: after.ID}, e) {
			continue
		}
		matching = append(matching, e)
	}

	if s.faults.PageSize > 0 && s.faults.PageSize < limit {
		limit = s.faults.PageSize
	}
	s.stats.Pages++
	resp := struct {
		Events             []wireEvent `json:"events"`
		NextToken          *string     `json:"nextToken,omitempty"`
		SearchedLogStreams []string    `json:"searchedLogStreams"`
	}{Events: []wireEvent{}, SearchedLogStreams: []string{}}

	if len(matching) > 0 && s.faults.EmptyPageRate > 0 && s.rng.Float64() < s.faults.EmptyPageRate {
		// An empty page although data remains: the client must keep paging.
		s.stats.EmptyPages++
		tok := s.token(qd, after)
		if s.faults.RepeatToken && req.NextToken != nil {
			tok = *req.NextToken
		}
		resp.NextToken = &tok
		writeJSON(w, resp)
		return
	}
	size := 0
	for _, e := range matching {
		if len(resp.Events) == limit || (len(resp.Events) > 0 && size+len(e.Message)+26 > maxPageBytes) {
			break
		}
		size += len(e.Message) + 26
		resp.Events = append(resp.Events, wireEvent{LogStreamName: e.Stream, Timestamp: e.Timestamp, Message: e.Message,
			IngestionTime: e.Ingest.UnixMilli(), EventID: e.ID})
	}
	s.stats.EventsServed += len(resp.Events)
	if len(resp.Events) == 0 {
		s.stats.EmptyPages++
	}
	more := len(resp.Events) < len(matching)
	if !more && len(resp.Events) > 0 && s.faults.EmptyPageRate > 0 && s.rng.Float64() < s.faults.EmptyPageRate {
		more = true // a token after the last data: one more, empty, page follows
	}
	if more {
		last := resp.Events[len(resp.Events)-1]
		tok := s.token(qd, &position{TS: last.Timestamp, Ing: last.IngestionTime, ID: last.EventID})
		resp.NextToken = &tok
	}
	writeJSON(w, resp)
}

func (s *Server) token(query string, p *position) string {
	var q position
	if p != nil {
		q = *p
	} else {
		q = position{TS: -1 << 62}
	}
	q.Query = query
	q.Nonce = s.rng.Int63()
	b, _ := json.Marshal(q)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeToken(tok string) (position, error) {
	var p position
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return p, err
	}
	return p, json.Unmarshal(b, &p)
}

func queryDigest(group string, req filterRequest) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%v\x00", group, req.LogStreamNamePrefix, req.LogStreamNames)
	if req.StartTime != nil {
		fmt.Fprintf(h, "%d", *req.StartTime)
	}
	h.Write([]byte{0})
	if req.EndTime != nil {
		fmt.Fprintf(h, "%d", *req.EndTime)
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

func (s *Server) writeFault(w http.ResponseWriter, kind ErrorKind) {
	switch kind {
	case Throttle:
		s.stats.Throttled++
		writeError(w, 400, "ThrottlingException", "Rate exceeded")
	case InternalError:
		s.stats.ServerErrors++
		writeError(w, 500, "InternalFailure", "internal failure")
	default:
		s.stats.ServerErrors++
		writeError(w, 503, "ServiceUnavailableException", "service unavailable")
	}
}

func writeError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(status)
	b, _ := json.Marshal(map[string]string{"__type": typ, "message": msg})
	w.Write(b)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	b, _ := json.Marshal(v)
	w.Write(b)
}

// serveSTS answers sts:AssumeRole in the awsQuery protocol with temporary
// credentials whose key ID shows which role was assumed.
func (s *Server) serveSTS(w http.ResponseWriter, keyID string, body []byte) {
	form, err := url.ParseQuery(string(body))
	if err != nil || form.Get("Action") != "AssumeRole" {
		w.WriteHeader(400)
		fmt.Fprint(w, `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>fake supports AssumeRole only</Message></Error></ErrorResponse>`)
		return
	}
	s.mu.Lock()
	s.stats.AssumeRoleCalls++
	n := s.stats.AssumeRoleCalls
	s.assumes = append(s.assumes, AssumeRoleRequest{AccessKeyID: keyID, RoleArn: form.Get("RoleArn"),
		ExternalID: form.Get("ExternalId"), RoleSessionName: form.Get("RoleSessionName")})
	exp := s.now().Add(time.Hour).UTC().Format(time.RFC3339)
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprintf(w, `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>`+
		`<Credentials><AccessKeyId>ASIAFAKEROLE%04d</AccessKeyId><SecretAccessKey>rolesecret</SecretAccessKey>`+
		`<SessionToken>token%d</SessionToken><Expiration>%s</Expiration></Credentials>`+
		`<AssumedRoleUser><Arn>%s/fake</Arn><AssumedRoleId>AROAFAKE:fake</AssumedRoleId></AssumedRoleUser>`+
		`</AssumeRoleResult><ResponseMetadata><RequestId>req-%d</RequestId></ResponseMetadata></AssumeRoleResponse>`,
		n, n, exp, form.Get("RoleArn"), n)
}
