// Package splunkd is a small client of splunkd's REST API: logging in and
// the storage/passwords endpoint where eks_logs keeps AWS keys.
//
// The package provides:
//   - Client, authenticated by a session key ("Authorization: Splunk …", what
//     a modular input receives on stdin) or an authentication token
//     ("Authorization: Bearer …");
//   - Login, which trades a username and password for a session key;
//   - GetPassword, ListPasswords and SetPassword on storage/passwords in one
//     app's namespace.
//
// Secrets (passwords, session keys, tokens, stored clear passwords) never
// appear in an error: messages relayed from splunkd are scrubbed of them.
package splunkd

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// ErrNotFound is returned when the requested credential does not exist.
var ErrNotFound = errors.New("splunkd: not found")

// ErrUnauthorized is returned for 401 answers: a wrong, expired or
// insufficient session key, token or password.
var ErrUnauthorized = errors.New("splunkd: not authenticated (check the session key, token or password)")

// Client talks to one splunkd.
type Client struct {
	base    *url.URL
	auth    string // Authorization header value
	secrets []string
	http    *http.Client
}

// Options tune the HTTP client.
type Options struct {
	// CAFile adds a PEM bundle to the trusted roots (default: the system
	// roots plus $SPLUNK_HOME/etc/auth/cacert.pem when present).
	CAFile string
	// Timeout bounds each request (default 30s).
	Timeout time.Duration
}

// NewWithSessionKey returns a client authenticating with a session key.
func NewWithSessionKey(baseURI, sessionKey string, o Options) (*Client, error) {
	return newClient(baseURI, "Splunk "+sessionKey, []string{sessionKey}, o)
}

// NewWithToken returns a client authenticating with a Splunk
// authentication token (Settings > Tokens).
func NewWithToken(baseURI, token string, o Options) (*Client, error) {
	return newClient(baseURI, "Bearer "+token, []string{token}, o)
}

func newClient(baseURI, auth string, secrets []string, o Options) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(baseURI, "/"))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("splunkd: %q is not an http(s) URI", baseURI)
	}
	hc, err := httpClient(u, o)
	if err != nil {
		return nil, err
	}
	return &Client{base: u, auth: auth, secrets: secrets, http: hc}, nil
}

// httpClient trusts the system roots plus splunkd's own CA. splunkd's
// default certificate is issued to "SplunkServerDefaultCert", not to the
// address a modular input is handed (https://127.0.0.1:8089), so for
// loopback addresses verification is skipped: the connection never leaves
// the host.
func httpClient(u *url.URL, o Options) (*http.Client, error) {
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil // splunkd is local or on the management network, never behind the user's web proxy
	if u.Scheme == "https" {
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		ca := o.CAFile
		if ca == "" && os.Getenv("SPLUNK_HOME") != "" {
			ca = filepath.Join(os.Getenv("SPLUNK_HOME"), "etc", "auth", "cacert.pem")
			if _, err := os.Stat(ca); err != nil {
				ca = ""
			}
		}
		if ca != "" {
			pem, err := os.ReadFile(ca)
			if err != nil {
				return nil, fmt.Errorf("splunkd: read CA file: %w", err)
			}
			if !pool.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("splunkd: no certificate in CA file %s", ca)
			}
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12, InsecureSkipVerify: isLoopback(u.Hostname())}
	}
	return &http.Client{Transport: tr, Timeout: timeout}, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Login trades a username and password for a session key.
func Login(ctx context.Context, baseURI, username, password string, o Options) (*Client, error) {
	c, err := newClient(baseURI, "", []string{password}, o)
	if err != nil {
		return nil, err
	}
	form := url.Values{"username": {username}, "password": {password}, "output_mode": {"json"}}
	var resp struct {
		SessionKey string `json:"sessionKey"`
	}
	if err := c.do(ctx, http.MethodPost, "/services/auth/login", form, &resp); err != nil {
		return nil, fmt.Errorf("splunkd: log in as %q: %w", username, err)
	}
	if resp.SessionKey == "" {
		return nil, fmt.Errorf("splunkd: log in as %q: no session key in the answer", username)
	}
	c.auth = "Splunk " + resp.SessionKey
	c.secrets = append(c.secrets, resp.SessionKey)
	return c, nil
}

// EntityName is the storage/passwords name of a credential: realm:user:,
// with colons inside either part escaped as \:.
func EntityName(realm, username string) string {
	esc := strings.NewReplacer(`:`, `\:`)
	return esc.Replace(realm) + ":" + esc.Replace(username) + ":"
}

func passwordsPath(app string) string {
	return "/servicesNS/nobody/" + url.PathEscape(app) + "/storage/passwords"
}

type entry struct {
	Name    string `json:"name"`
	Content struct {
		Realm         string `json:"realm"`
		Username      string `json:"username"`
		ClearPassword string `json:"clear_password"`
	} `json:"content"`
}

type feed struct {
	Entry  []entry `json:"entry"`
	Paging struct {
		Total   int `json:"total"`
		PerPage int `json:"perPage"`
		Offset  int `json:"offset"`
	} `json:"paging"`
}

// GetPassword returns the clear password stored for realm and username in
// app's namespace, or ErrNotFound.
func (c *Client) GetPassword(ctx context.Context, app, realm, username string) (string, error) {
	var f feed
	p := passwordsPath(app) + "/" + url.PathEscape(EntityName(realm, username))
	if err := c.do(ctx, http.MethodGet, p, url.Values{"output_mode": {"json"}}, &f); err != nil {
		return "", fmt.Errorf("splunkd: read credential %q of realm %q: %w", username, realm, err)
	}
	for _, e := range f.Entry {
		if e.Content.Realm == realm && e.Content.Username == username {
			c.secrets = append(c.secrets, e.Content.ClearPassword)
			return e.Content.ClearPassword, nil
		}
	}
	return "", fmt.Errorf("splunkd: read credential %q of realm %q: %w", username, realm, ErrNotFound)
}

// ListPasswords returns the usernames stored under realm in app's
// namespace, in the order splunkd lists them. It asks splunkd for the
// realm and username fields only; a clear password in the answer all the
// same is dropped here.
func (c *Client) ListPasswords(ctx context.Context, app, realm string) ([]string, error) {
	var names []string
	const pageSize = 100
	for offset := 0; ; offset += pageSize {
		var f feed
		// f= asks for the names only: the stored secrets stay in splunkd.
		q := url.Values{"output_mode": {"json"}, "count": {strconv.Itoa(pageSize)}, "offset": {strconv.Itoa(offset)},
			"search": {"realm=" + realm}, "f": {"realm", "username"}}
		if err := c.do(ctx, http.MethodGet, passwordsPath(app), q, &f); err != nil {
			return nil, fmt.Errorf("splunkd: list credentials of realm %q: %w", realm, err)
		}
		for _, e := range f.Entry {
			// The search parameter is a substring match: filter exactly.
			if e.Content.Realm == realm {
				names = append(names, e.Content.Username)
			}
		}
		if len(f.Entry) < pageSize || offset+len(f.Entry) >= f.Paging.Total {
			return names, nil
		}
	}
}

// SetPassword creates or updates a credential. It reports whether it was
// created.
func (c *Client) SetPassword(ctx context.Context, app, realm, username, password string) (bool, error) {
	c.secrets = append(c.secrets, password)
	form := url.Values{"name": {username}, "realm": {realm}, "password": {password}, "output_mode": {"json"}}
	err := c.do(ctx, http.MethodPost, passwordsPath(app), form, nil)
	if err == nil {
		return true, nil
	}
	var se *StatusError
	if !errors.As(err, &se) || se.Code != http.StatusConflict {
		return false, fmt.Errorf("splunkd: create credential %q of realm %q: %w", username, realm, err)
	}
	p := passwordsPath(app) + "/" + url.PathEscape(EntityName(realm, username))
	if err := c.do(ctx, http.MethodPost, p, url.Values{"password": {password}, "output_mode": {"json"}}, nil); err != nil {
		return false, fmt.Errorf("splunkd: update credential %q of realm %q: %w", username, realm, err)
	}
	return false, nil
}

// StatusError is a non-2xx answer; Message holds splunkd's own messages,
// scrubbed of secrets.
type StatusError struct {
	Code    int
	Message string
}

func (e *StatusError) Error() string {
	if e.Message == "" {
		return fmt.Sprintf("HTTP %d %s", e.Code, http.StatusText(e.Code))
	}
	return fmt.Sprintf("HTTP %d %s: %s", e.Code, http.StatusText(e.Code), e.Message)
}

func (c *Client) do(ctx context.Context, method, path string, params url.Values, out any) error {
	// path is already escaped segment by segment (url.PathEscape), so it
	// is appended to the base as text, not as a URL.Path to escape again.
	target := c.base.String() + path
	var body io.Reader
	if method == http.MethodGet {
		target += "?" + params.Encode()
	} else {
		body = strings.NewReader(params.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if c.auth != "" {
		req.Header.Set("Authorization", c.auth)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		// The URL in a *url.Error holds no secret (they travel in headers
		// and bodies), but scrub anyway.
		return errors.New(c.scrub(err.Error()))
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("read answer: %w", err)
	}
	if resp.StatusCode == http.StatusUnauthorized {
		return ErrUnauthorized
	}
	if resp.StatusCode == http.StatusNotFound {
		return ErrNotFound
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return &StatusError{Code: resp.StatusCode, Message: c.scrub(messages(b))}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("decode answer from %s: %v", path, err) // %v: the JSON error may quote content
	}
	return nil
}

// messages extracts splunkd's {"messages":[{"type","text"}]} texts.
func messages(b []byte) string {
	var m struct {
		Messages []struct {
			Type string `json:"type"`
			Text string `json:"text"`
		} `json:"messages"`
	}
	if json.Unmarshal(b, &m) != nil || len(m.Messages) == 0 {
		return ""
	}
	var parts []string
	for _, x := range m.Messages {
		parts = append(parts, x.Text)
	}
	return strings.Join(parts, "; ")
}

func (c *Client) scrub(s string) string {
	for _, sec := range c.secrets {
		if len(sec) >= 4 {
			s = strings.ReplaceAll(s, sec, "********")
		}
	}
	return s
}
