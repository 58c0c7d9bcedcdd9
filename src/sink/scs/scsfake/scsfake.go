// Package scsfake is an in-process fake of the Splunk Cloud Services
// ingest API (POST /<tenant>/ingest/v1beta2/events, bearer token checked)
// and of its identity provider's client-credentials flow (POST /token), for
// tests of the SCS sink through the real SDK.
//
// Nothing here is production code.
package scsfake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
)

// Event is one ingested event, as the SDK sends it.
type Event struct {
	Body       string         `json:"body"`
	Attributes map[string]any `json:"attributes"`
	Host       string         `json:"host"`
	ID         string         `json:"id"`
	Source     string         `json:"source"`
	Sourcetype string         `json:"sourcetype"`
	Timestamp  int64          `json:"timestamp"`
}

// Server is a running fake; its methods are safe for concurrent use.
type Server struct {
	URL    string
	Tenant string
	srv    *httptest.Server

	mu           sync.Mutex
	tokens       map[string]bool
	clients      map[string]string // client id -> secret
	issued       int
	script       []int
	events       []Event
	Requests     int
	TokenCalls   int
	expiresInSec int
}

// New starts a fake for tenant accepting the given static tokens.
func New(tenant string, tokens ...string) *Server {
	s := &Server{Tenant: tenant, tokens: map[string]bool{}, clients: map[string]string{}, expiresInSec: 3600}
	for _, t := range tokens {
		s.tokens[t] = true
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	s.URL = s.srv.URL
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// AddClient registers client credentials for /token.
func (s *Server) AddClient(id, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clients[id] = secret
}

// ExpireToken makes a token answer 401 from now on.
func (s *Server) ExpireToken(tok string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.tokens, tok)
}

// FailNext makes the next n ingest requests answer status (429, 500, 503).
func (s *Server) FailNext(n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.script = append(s.script, status)
	}
}

// Events returns what was ingested.
func (s *Server) Events() []Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Event(nil), s.events...)
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.URL.Path == "/token" {
		s.token(w, r)
		return
	}
	if r.URL.Path != "/"+s.Tenant+"/ingest/v1beta2/events" || r.Method != http.MethodPost {
		writeErr(w, 404, "NOT_FOUND", "no such route "+r.URL.Path)
		return
	}
	s.Requests++
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || !s.tokens[tok] {
		writeErr(w, 401, "UNAUTHORIZED", "invalid or expired token")
		return
	}
	if len(s.script) > 0 {
		st := s.script[0]
		s.script = s.script[1:]
		writeErr(w, st, "UNAVAILABLE", "try again")
		return
	}
	var evs []Event
	body, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(body, &evs); err != nil {
		writeErr(w, 400, "INVALID_DATA", "body is not a JSON array of events")
		return
	}
	for _, e := range evs {
		if e.Body == "" {
			writeErr(w, 400, "INVALID_DATA", "event without body")
			return
		}
	}
	s.events = append(s.events, evs...)
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, `{"code":"SUCCESS","message":"Success"}`)
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	s.TokenCalls++
	id, secret, ok := r.BasicAuth()
	r.ParseForm()
	if !ok || s.clients[id] == "" || s.clients[id] != secret || r.Form.Get("grant_type") != "client_credentials" || r.Form.Get("scope") == "" {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(401)
		io.WriteString(w, `{"error":"invalid_client"}`)
		return
	}
	s.issued++
	tok := fmt.Sprintf("cc-access-%d", s.issued)
	s.tokens[tok] = true
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"token_type": "Bearer", "access_token": tok, "expires_in": s.expiresInSec, "scope": r.Form.Get("scope")})
}

func writeErr(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"code": code, "message": msg})
}
