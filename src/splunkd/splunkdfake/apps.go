package splunkdfake

import (
	"net/http"
)

// AppSettings returns what was posted to apps/local/<app>.
func (s *Server) AppSettings(app string) map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return copyParams(s.apps[app])
}

// localApp serves servicesNS/nobody/system/apps/local/<app>: GET reads
// it, POST sets settings such as configured=1.
func (s *Server) localApp(w http.ResponseWriter, r *http.Request, app string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	settings := s.apps[app]
	if settings == nil {
		settings = map[string]string{}
		s.apps[app] = settings
	}
	switch r.Method {
	case http.MethodGet:
	case http.MethodPost:
		for k, vs := range r.PostForm {
			if k != "output_mode" {
				settings[k] = vs[len(vs)-1]
			}
		}
	default:
		fail(w, 405, "method not allowed")
		return
	}
	content := map[string]any{"configured": isTrue(settings["configured"]), "disabled": false, "visible": true}
	for k, v := range settings {
		if k != "configured" {
			content[k] = v
		}
	}
	path := "/servicesNS/nobody/system/apps/local/" + app
	writeJSON(w, 200, map[string]any{
		"entry": []map[string]any{{
			"name": app, "id": s.URL + path, "links": map[string]string{"alternate": path, "edit": path},
			"acl": map[string]any{"app": "system", "owner": "nobody", "sharing": "app"}, "content": content,
		}},
		"paging": map[string]int{"total": 1, "perPage": 1, "offset": 0}, "messages": []any{},
	})
}
