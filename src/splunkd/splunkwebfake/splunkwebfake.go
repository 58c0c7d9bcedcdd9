// Package splunkwebfake is an in-process fake of Splunk Web for testing an
// app's own pages in a real browser. It does what Splunk Web does for a
// Simple XML view whose panels are <html> and whose behaviour is its
// script= file:
//   - <root>/<locale>/app/<app>/<view> renders the view of the app folder
//     as a page: its <html> panels, its stylesheet= and script= files;
//   - <root>/<locale>/static/app/<app>/<file> serves appserver/static/;
//   - <root>/<locale>/splunkd/__raw/<path> proxies to splunkd with the
//     user's session key, refusing requests without the session cookie
//     and writes (POST, DELETE, ...) whose X-Splunk-Form-Key header is not
//     the value of the splunkweb_csrf_token_<port> cookie.
//
// Rendering the page sets the two cookies, as logging in does. Nothing
// else of Splunk Web is there: no login page, no navigation, no
// splunkjs modules, so a page that needs them fails here.
package splunkwebfake

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
)

// Config says what to serve.
type Config struct {
	// AppDir is the app folder: default/data/ui/views/ and
	// appserver/static/ are read from it.
	AppDir string
	// App is the app id in URLs.
	App string
	// Root is Splunk Web's root_endpoint ("" or e.g. "/splunk"), Locale
	// the locale segment (e.g. "en-US"): pages live under Root/Locale.
	Root, Locale string
	// SplunkdURL and SessionKey are the splunkd the proxy forwards to, and
	// the logged-in user's session key there.
	SplunkdURL, SessionKey string
	// CookiePort is the port in the cookie names: Splunk Web's own port,
	// which is not the one the browser sees behind a proxy. Default 8000.
	CookiePort string
}

// Server is a running fake Splunk Web.
type Server struct {
	// URL is the server's base URL, without the root endpoint.
	URL string

	cfg     Config
	srv     *httptest.Server
	csrf    string
	session string
	proxy   *httputil.ReverseProxy

	mu      sync.Mutex
	refused []string
}

// New starts a fake Splunk Web on loopback.
func New(cfg Config) (*Server, error) {
	if cfg.CookiePort == "" {
		cfg.CookiePort = "8000"
	}
	if cfg.Locale == "" || strings.Contains(cfg.Locale, "/") {
		return nil, fmt.Errorf("splunkwebfake: locale %q", cfg.Locale)
	}
	cfg.Root = strings.TrimRight(cfg.Root, "/")
	target, err := url.Parse(cfg.SplunkdURL)
	if err != nil || target.Host == "" {
		return nil, fmt.Errorf("splunkwebfake: splunkd URL %q", cfg.SplunkdURL)
	}
	s := &Server{cfg: cfg, csrf: token(), session: token()}
	s.proxy = &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
		raw := strings.TrimPrefix(pr.In.URL.EscapedPath(), s.prefix()+"/splunkd/__raw")
		pr.Out.URL = &url.URL{Scheme: target.Scheme, Host: target.Host, RawPath: raw, RawQuery: pr.In.URL.RawQuery}
		pr.Out.URL.Path, _ = url.PathUnescape(raw)
		pr.Out.Host = target.Host
		pr.Out.Header.Del("Cookie")
		pr.Out.Header.Del("X-Splunk-Form-Key")
		pr.Out.Header.Set("Authorization", "Splunk "+cfg.SessionKey)
	}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	return s, nil
}

func token() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// PageURL is the address of a view of the app.
func (s *Server) PageURL(view string) string {
	return s.URL + s.prefix() + "/app/" + url.PathEscape(s.cfg.App) + "/" + url.PathEscape(view)
}

// FormKey is the CSRF token the page must send back.
func (s *Server) FormKey() string { return s.csrf }

// Refused returns "METHOD path: reason" of each request refused for want
// of a session or a form key.
func (s *Server) Refused() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.refused...)
}

func (s *Server) prefix() string { return s.cfg.Root + "/" + s.cfg.Locale }

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.EscapedPath(), s.prefix()+"/")
	if !ok {
		http.NotFound(w, r)
		return
	}
	switch {
	case strings.HasPrefix(rest, "splunkd/__raw/"):
		s.raw(w, r)
	case strings.HasPrefix(rest, "static/app/"+s.cfg.App+"/") && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		file, err := url.PathUnescape(strings.TrimPrefix(rest, "static/app/"+s.cfg.App+"/"))
		if err != nil || !fsValid(file) {
			http.NotFound(w, r)
			return
		}
		http.ServeFile(w, r, filepath.Join(s.cfg.AppDir, "appserver", "static", filepath.FromSlash(file)))
	case strings.HasPrefix(rest, "app/"+s.cfg.App+"/") && r.Method == http.MethodGet:
		s.page(w, r, strings.TrimPrefix(rest, "app/"+s.cfg.App+"/"))
	default:
		http.NotFound(w, r)
	}
}

// fsValid accepts a clean relative path inside the folder.
func fsValid(p string) bool {
	return p != "" && !strings.HasPrefix(p, "/") && path.Clean(p) == p && p != ".." && !strings.HasPrefix(p, "../")
}

// raw is Splunk Web's splunkd proxy with its session and CSRF checks.
func (s *Server) raw(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie("session_id_" + s.cfg.CookiePort)
	if err != nil || c.Value != s.session {
		s.refuse(w, r, http.StatusUnauthorized, "no Splunk Web session")
		return
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
	default:
		if r.Header.Get("X-Splunk-Form-Key") != s.csrf {
			s.refuse(w, r, http.StatusUnauthorized, "Splunk cannot authenticate the request. CSRF validation failed.")
			return
		}
	}
	s.proxy.ServeHTTP(w, r)
}

func (s *Server) refuse(w http.ResponseWriter, r *http.Request, code int, msg string) {
	s.mu.Lock()
	s.refused = append(s.refused, r.Method+" "+r.URL.Path+": "+msg)
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]any{"messages": []map[string]string{{"type": "ERROR", "text": msg}}})
}

// view is the part of a Simple XML dashboard the fake renders.
type view struct {
	XMLName    xml.Name
	Version    string `xml:"version,attr"`
	Script     string `xml:"script,attr"`
	Stylesheet string `xml:"stylesheet,attr"`
	Label      string `xml:"label"`
	Panels     []struct {
		Inner string `xml:",innerxml"`
	} `xml:"row>panel>html"`
}

// page renders a view: the panels go into <template> elements that a
// small script of the fake adds to the page after the view's own scripts
// have run. Simple XML gives no order between rendering panels and
// running a dashboard's scripts; this is the order that breaks a script
// that looks for its elements at once.
func (s *Server) page(w http.ResponseWriter, r *http.Request, name string) {
	if !fsValid(name) || strings.Contains(name, "/") {
		http.NotFound(w, r)
		return
	}
	b, err := os.ReadFile(filepath.Join(s.cfg.AppDir, "default", "data", "ui", "views", name+".xml"))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	var v view
	if err := xml.Unmarshal(b, &v); err != nil || (v.XMLName.Local != "dashboard" && v.XMLName.Local != "form") {
		http.Error(w, fmt.Sprintf("view %s is not a Simple XML dashboard: %v", name, err), http.StatusInternalServerError)
		return
	}
	static := s.prefix() + "/static/app/" + url.PathEscape(s.cfg.App) + "/"
	var p bytes.Buffer
	fmt.Fprintf(&p, "<!DOCTYPE html>\n<html lang=%q><head><meta charset=\"utf-8\"><title>%s | Splunk</title>\n",
		s.cfg.Locale, html.EscapeString(v.Label))
	for _, css := range list(v.Stylesheet) {
		fmt.Fprintf(&p, "<link rel=\"stylesheet\" href=\"%s\">\n", html.EscapeString(static+css))
	}
	fmt.Fprintf(&p, "</head><body>\n<h1>%s</h1>\n<main id=\"dashboard\"></main>\n", html.EscapeString(v.Label))
	for _, panel := range v.Panels {
		fmt.Fprintf(&p, "<template class=\"fake-panel\">%s</template>\n", panel.Inner)
	}
	for _, js := range list(v.Script) {
		fmt.Fprintf(&p, "<script src=\"%s\"></script>\n", html.EscapeString(static+js))
	}
	p.WriteString(`<script>
window.addEventListener('load', function () {
  setTimeout(function () {
    document.querySelectorAll('template.fake-panel').forEach(function (t) {
      var d = document.createElement('div');
      d.className = 'dashboard-panel html';
      d.appendChild(t.content.cloneNode(true));
      document.getElementById('dashboard').appendChild(d);
    });
  }, 0);
});
</script>
</body></html>
`)
	cookiePath := s.cfg.Root + "/"
	http.SetCookie(w, &http.Cookie{Name: "splunkweb_csrf_token_" + s.cfg.CookiePort, Value: s.csrf, Path: cookiePath, SameSite: http.SameSiteStrictMode})
	http.SetCookie(w, &http.Cookie{Name: "session_id_" + s.cfg.CookiePort, Value: s.session, Path: cookiePath, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(p.Bytes())
}

// list splits a script= or stylesheet= value: comma-separated file names,
// optionally prefixed with "<app>:".
func list(attr string) []string {
	var out []string
	for _, f := range strings.Split(attr, ",") {
		f = strings.TrimSpace(f)
		if i := strings.IndexByte(f, ':'); i >= 0 {
			f = f[i+1:]
		}
		if f != "" {
			out = append(out, f)
		}
	}
	return out
}
