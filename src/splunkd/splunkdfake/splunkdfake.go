// Package splunkdfake is an in-process fake of the parts of splunkd's REST
// API that kubelens uses, in splunkd's JSON shapes (entry[], paging,
// messages[] on errors), with the Authorization header checked on every
// call:
//   - /services/auth/login;
//   - storage/passwords in an app's namespace: list, read, create (409 on a
//     duplicate), update, delete;
//   - data/inputs/<scheme> of a modular input registered with
//     EnableInputs: list, create (409 on a duplicate), edit, enable,
//     disable, delete, with the scheme's external validation run on every
//     create and edit as splunkd runs it (ExecValidator runs the program's
//     --validate-arguments);
//   - apps/local/<app>: read, and configured=1 as a setup page posts it.
//
// Tests in other packages and the end-to-end tests in tests/ start it and
// point server_uri, --splunkd-uri or the Splunk Web fake at it.
package splunkdfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Credential is one storage/passwords entry.
type Credential struct {
	App, Realm, Username, Password string
}

// Server is a running fake splunkd.
type Server struct {
	URL string
	srv *httptest.Server

	mu          sync.Mutex
	sessionKeys map[string]bool
	tokens      map[string]bool
	users       map[string]string // username -> password
	creds       map[string]*Credential
	requests    []string // method + path, for assertions
	authFails   int
	schemes     map[string]*scheme
	validations int
	apps        map[string]map[string]string // app -> settings posted to apps/local/<app>
}

// New starts a fake on loopback; tls selects HTTPS with a self-signed
// certificate, as splunkd's management port uses.
func New(tls bool) *Server {
	s := &Server{sessionKeys: map[string]bool{}, tokens: map[string]bool{}, users: map[string]string{}, creds: map[string]*Credential{},
		schemes: map[string]*scheme{}, apps: map[string]map[string]string{}}
	if tls {
		s.srv = httptest.NewTLSServer(http.HandlerFunc(s.serve))
	} else {
		s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	}
	s.URL = s.srv.URL
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// AddSessionKey accepts "Authorization: Splunk key".
func (s *Server) AddSessionKey(key string) { s.mu.Lock(); s.sessionKeys[key] = true; s.mu.Unlock() }

// AddToken accepts "Authorization: Bearer token".
func (s *Server) AddToken(tok string) { s.mu.Lock(); s.tokens[tok] = true; s.mu.Unlock() }

// AddUser accepts a login.
func (s *Server) AddUser(name, password string) { s.mu.Lock(); s.users[name] = password; s.mu.Unlock() }

// Put stores a credential directly.
func (s *Server) Put(c Credential) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cc := c
	s.creds[key(c.App, c.Realm, c.Username)] = &cc
}

// Get returns a stored credential.
func (s *Server) Get(app, realm, username string) (Credential, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.creds[key(app, realm, username)]
	if !ok {
		return Credential{}, false
	}
	return *c, true
}

// Credentials returns the credentials stored under realm in app's
// namespace, by username.
func (s *Server) Credentials(app, realm string) []Credential {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Credential
	for _, c := range s.creds {
		if c.App == app && c.Realm == realm {
			out = append(out, *c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Username < out[j].Username })
	return out
}

// Requests returns "METHOD path" of each request received.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

// AuthFailures counts requests refused with 401.
func (s *Server) AuthFailures() int { s.mu.Lock(); defer s.mu.Unlock(); return s.authFails }

func key(app, realm, user string) string { return app + "\x00" + realm + "\x00" + user }

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, r.Method+" "+r.URL.EscapedPath())
	s.mu.Unlock()
	if err := r.ParseForm(); err != nil {
		fail(w, 400, "bad form")
		return
	}
	if r.URL.Path == "/services/auth/login" && r.Method == http.MethodPost {
		s.login(w, r)
		return
	}
	if !s.authorized(r.Header.Get("Authorization")) {
		s.mu.Lock()
		s.authFails++
		s.mu.Unlock()
		fail(w, 401, "call not properly authenticated")
		return
	}
	parts := strings.Split(strings.TrimPrefix(r.URL.EscapedPath(), "/"), "/")
	if len(parts) < 5 || parts[0] != "servicesNS" {
		fail(w, 404, "no such endpoint")
		return
	}
	app, _ := url.PathUnescape(parts[2])
	switch {
	case parts[3] == "storage" && parts[4] == "passwords":
		s.passwords(w, r, app, parts[5:])
	case parts[3] == "data" && parts[4] == "inputs" && len(parts) >= 6:
		scheme, _ := url.PathUnescape(parts[5])
		s.inputs(w, r, app, scheme, parts[6:])
	case parts[3] == "apps" && parts[4] == "local" && len(parts) == 6:
		name, _ := url.PathUnescape(parts[5])
		s.localApp(w, r, name)
	default:
		fail(w, 404, "no such endpoint")
	}
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if pw, ok := s.users[r.PostForm.Get("username")]; !ok || pw != r.PostForm.Get("password") {
		s.authFails++
		fail(w, 401, "Login failed")
		return
	}
	k := fmt.Sprintf("session-%d", len(s.sessionKeys)+1)
	s.sessionKeys[k] = true
	writeJSON(w, 200, map[string]string{"sessionKey": k})
}

// passwords serves servicesNS/nobody/<app>/storage/passwords[/<name>].
func (s *Server) passwords(w http.ResponseWriter, r *http.Request, app string, rest []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(rest) == 0 {
		switch r.Method {
		case http.MethodGet:
			s.list(w, r, app)
		case http.MethodPost:
			s.create(w, r, app)
		default:
			fail(w, 405, "method not allowed")
		}
		return
	}
	name, err := url.PathUnescape(rest[0])
	if err != nil || len(rest) > 1 {
		fail(w, 400, "bad name")
		return
	}
	realm, user, ok := splitName(name)
	if !ok {
		fail(w, 404, "bad entity name")
		return
	}
	k := key(app, realm, user)
	c, found := s.creds[k]
	if !found {
		fail(w, 404, fmt.Sprintf("Could not find object id=%s", name))
		return
	}
	switch r.Method {
	case http.MethodGet:
		writeJSON(w, 200, feed([]*Credential{c}, 0, 1))
	case http.MethodPost:
		if p := r.PostForm.Get("password"); p != "" {
			c.Password = p
		}
		writeJSON(w, 200, feed([]*Credential{c}, 0, 1))
	case http.MethodDelete:
		delete(s.creds, k)
		s.list(w, r, app)
	default:
		fail(w, 405, "method not allowed")
	}
}

func (s *Server) authorized(h string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if k, ok := strings.CutPrefix(h, "Splunk "); ok {
		return s.sessionKeys[k]
	}
	if t, ok := strings.CutPrefix(h, "Bearer "); ok {
		return s.tokens[t]
	}
	return false
}

func (s *Server) list(w http.ResponseWriter, r *http.Request, app string) {
	var all []*Credential
	search := strings.TrimPrefix(r.Form.Get("search"), "realm=")
	for _, c := range s.creds {
		if c.App == app && strings.Contains(c.Realm, search) {
			all = append(all, c)
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Realm+all[i].Username < all[j].Realm+all[j].Username })
	count, _ := strconv.Atoi(r.Form.Get("count"))
	offset, _ := strconv.Atoi(r.Form.Get("offset"))
	if count <= 0 {
		count = 30 // splunkd's default page size; count=0 would mean all
		if r.Form.Get("count") == "0" {
			count = len(all)
		}
	}
	end := min(offset+count, len(all))
	page := []*Credential{}
	if offset < len(all) {
		page = all[offset:end]
	}
	f := feed(page, offset, len(all))
	if fields := r.Form["f"]; len(fields) > 0 {
		// f= keeps only the named content fields, as splunkd's list
		// endpoints do.
		for _, e := range f["entry"].([]map[string]any) {
			content := map[string]string{}
			for k, v := range e["content"].(map[string]string) {
				if slices.Contains(fields, k) {
					content[k] = v
				}
			}
			e["content"] = content
		}
	}
	writeJSON(w, 200, f)
}

func (s *Server) create(w http.ResponseWriter, r *http.Request, app string) {
	user, realm, pw := r.PostForm.Get("name"), r.PostForm.Get("realm"), r.PostForm.Get("password")
	if user == "" || pw == "" {
		fail(w, 400, "name and password are required")
		return
	}
	k := key(app, realm, user)
	if _, ok := s.creds[k]; ok {
		fail(w, 409, fmt.Sprintf("An object with name=%s already exists", user))
		return
	}
	c := &Credential{App: app, Realm: realm, Username: user, Password: pw}
	s.creds[k] = c
	writeJSON(w, 201, feed([]*Credential{c}, 0, 1))
}

// splitName parses realm:user: with \: escapes.
func splitName(name string) (realm, user string, ok bool) {
	var parts []string
	var cur strings.Builder
	for i := 0; i < len(name); i++ {
		switch {
		case name[i] == '\\' && i+1 < len(name) && name[i+1] == ':':
			cur.WriteByte(':')
			i++
		case name[i] == ':':
			parts = append(parts, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(name[i])
		}
	}
	if len(parts) != 2 || cur.Len() != 0 {
		return "", "", false
	}
	return parts[0], parts[1], true
}

func feed(cs []*Credential, offset, total int) map[string]any {
	entries := []map[string]any{}
	for _, c := range cs {
		esc := strings.NewReplacer(":", `\:`)
		entries = append(entries, map[string]any{
			"name": esc.Replace(c.Realm) + ":" + esc.Replace(c.Username) + ":",
			"content": map[string]string{"realm": c.Realm, "username": c.Username, "clear_password": c.Password,
				"encr_password": "$7$fake", "password": "********"},
			"acl": map[string]string{"app": c.App, "owner": "nobody"},
		})
	}
	return map[string]any{"entry": entries, "paging": map[string]int{"total": total, "perPage": len(cs), "offset": offset}, "messages": []any{}}
}

func fail(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]any{"messages": []map[string]string{{"type": "ERROR", "text": msg}}})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}
